// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/expression.hpp>
#include <planeval/json.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "json_reader.hpp"

namespace planeval {

namespace json = boost::json;

using json_reading::as_number;
using json_reading::describe;
using json_reading::line_column;
using json_reading::quoted;
using json_reading::reader;

namespace {

// ---------------------------------------------------------------------------------------------
// Reading (the reader and its helpers are in json_reader.hpp, shared with standard_read.cpp)
// ---------------------------------------------------------------------------------------------

// --- items ---------------------------------------------------------------------------------

std::optional<phase> read_phase(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, {"id", "name", "start", "end", "source"}, {"id", "name", "start", "end"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  phase p;
  p.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "name", path)) p.name = *t;
  if (auto d = r.date_field(*o, "start", path, date_role::start)) p.start = *d;
  if (auto d = r.date_field(*o, "end", path, date_role::end)) p.end = *d;
  p.source = r.source_field(*o, "source", path);
  if (r.errors.size() != before) return std::nullopt;
  return p;
}

std::optional<domain> read_domain(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, {"id", "name"}, {"id", "name"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  domain d;
  d.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "name", path)) d.name = *t;
  if (r.errors.size() != before) return std::nullopt;
  return d;
}

/// A standard of the plan: {"file": path relative to the plan file} or the standard itself.
std::optional<plan_standard> read_plan_standard(reader& r, const json::value& v, const std::string& path,
                                                const std::string& base_dir) {
  const auto* o = v.if_object();
  if (!o) {
    r.fail(path, "expected {\"file\": \"path/to/standard.json\"} or an embedded standard, got " + describe(v));
    return std::nullopt;
  }
  plan_standard s;
  if (o->contains("file")) {
    const auto* fo = r.object(v, path, {"file", "id"}, {"file"});
    if (!fo) return std::nullopt;
    auto f = r.string(*fo, "file", path);
    if (!f || f->empty()) {
      if (f) r.fail(reader::join(path, "file"), "expected a non-empty path");
      return std::nullopt;
    }
    s.file = *f;
    if (fo->contains("id")) s.id = r.id(*fo, path);
    const std::string full = base_dir.empty() || s.file.front() == '/' ? s.file : base_dir + "/" + s.file;
    std::ifstream in(full, std::ios::binary);
    if (!in) {
      r.fail(reader::join(path, "file"), "cannot open the standard file " + quoted(full));
      return std::nullopt;
    }
    s.json.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return s;
  }
  s.json = json::serialize(v);
  return s;
}

std::optional<indicator> read_indicator(reader& r, const json::value& v, const std::string& path) {
  const auto* o =
      r.object(v, path,
               {"id", "name", "unit", "unit_en", "kind", "direction", "decimals", "stages", "domain", "obligation",
                "parent", "tags", "definition", "share_labels", "aggregation", "source", "expression", "numerator",
                "denominator", "factor", "missing"},
               {"id", "name", "unit", "kind", "direction"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  indicator ind;
  ind.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "name", path)) ind.name = *t;
  if (auto s = r.string(*o, "unit", path)) ind.unit = *s;
  if (auto k = r.enumeration(*o, "kind", path, value_kind_names)) ind.kind = *k;
  if (auto d = r.enumeration(*o, "direction", path, direction_names)) ind.direction = *d;
  if (const auto* d = r.field(*o, "decimals")) {
    if (d->is_int64() && d->get_int64() >= 0 && d->get_int64() <= 12)
      ind.decimals = static_cast<int>(d->get_int64());
    else if (d->is_uint64() && d->get_uint64() <= 12)
      ind.decimals = static_cast<int>(d->get_uint64());
    else
      r.fail(reader::join(path, "decimals"), "expected an integer from 0 to 12, got " + describe(*d));
  }
  if (const auto* a = r.array_field(*o, "stages", path)) {
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& s = (*a)[i];
      std::optional<stage> st;
      if (s.is_string()) st = detail::parse_name(stage_names, s.get_string());
      if (st)
        ind.stages.push_back(*st);
      else
        r.fail(reader::at(reader::join(path, "stages"), i),
               "expected one of " + detail::alternatives(stage_names) + ", got " + describe(s));
    }
  }
  if (auto s = r.string(*o, "domain", path)) ind.domain = *s;
  if (auto b = r.enumeration(*o, "obligation", path, obligation_names)) ind.obligation = *b;
  if (r.field(*o, "parent")) ind.parent = r.id(*o, path, "parent");
  if (auto u = r.string(*o, "unit_en", path)) {
    if (u->empty()) r.fail(reader::join(path, "unit_en"), "expected the unit in English, got \"\"");
    ind.unit_en = *u;
  }
  r.strings(*o, "tags", path, ind.tags);
  ind.definition = r.text_field(*o, "definition", path);
  r.strings(*o, "share_labels", path, ind.share_labels);
  if (const auto* ag = r.field(*o, "aggregation")) {
    const auto ap = reader::join(path, "aggregation");
    if (const auto* a = r.object(*ag, ap, {"entities", "time", "weight"}, {})) {
      if (auto e = r.enumeration(*a, "entities", ap, entity_rule_names)) ind.across_entities = *e;
      if (auto t = r.enumeration(*a, "time", ap, time_rule_names)) ind.across_time = *t;
      if (auto w = r.string(*a, "weight", ap)) {
        if (w->empty())
          r.fail(reader::join(ap, "weight"), "expected \"students\", \"units\" or the id of a count indicator, got \"\"");
        ind.weight_by = *w;
      }
    }
  }
  ind.source = r.source_field(*o, "source", path);
  // a derived indicator: expression, or numerator / denominator with a factor
  const bool derived = r.field(*o, "expression") || r.field(*o, "numerator") || r.field(*o, "denominator");
  if (derived) {
    indicator_formula f;
    for (auto [key, out] : {std::pair<const char*, std::string*>{"expression", &f.expression},
                            {"numerator", &f.numerator},
                            {"denominator", &f.denominator}})
      if (r.field(*o, key))
        if (auto x = r.string(*o, key, path)) *out = *x;
    if (auto x = r.number(*o, "factor", path)) f.factor = *x;
    if (const auto* m = r.field(*o, "missing")) {
      // the DHIS2 names are accepted beside planeval's
      std::optional<rules::missing_policy> mp;
      if (m->is_string()) mp = rules::parse_missing_policy(m->get_string());
      if (mp)
        f.missing = *mp;
      else
        r.fail(reader::join(path, "missing"),
               "expected one of " + detail::alternatives(rules::missing_policy_names) +
                   " (or DHIS2's skip_if_any_value_missing, skip_if_all_values_missing), got " + describe(*m));
    }
    ind.formula = std::move(f);
  } else {
    for (const char* key : {"factor", "missing"})
      if (r.field(*o, key))
        r.fail(reader::join(path, key),
               "only a derived indicator (with an expression or a numerator) takes a " + std::string(key));
  }
  if (r.errors.size() != before) return std::nullopt;
  return ind;
}

std::optional<constant> read_constant(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, {"id", "name", "value", "source"}, {"id", "name", "value"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  constant c;
  c.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "name", path)) c.name = *t;
  if (auto x = r.number(*o, "value", path)) c.value = *x;
  c.source = r.source_field(*o, "source", path);
  if (r.errors.size() != before) return std::nullopt;
  return c;
}

std::optional<entity> read_entity(reader& r, const json::value& v, const std::string& path) {
  const auto* o =
      r.object(v, path, {"id", "name", "kind", "parent", "stage", "ownership", "students"}, {"id", "name", "kind"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  entity e;
  e.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "name", path)) e.name = *t;
  if (auto k = r.enumeration(*o, "kind", path, entity_kind_names)) e.kind = *k;
  if (r.field(*o, "parent")) e.parent = r.id(*o, path, "parent");
  e.stage = r.enumeration(*o, "stage", path, stage_names);
  e.ownership = r.enumeration(*o, "ownership", path, ownership_names);
  e.students = r.number(*o, "students", path);
  if (e.students && *e.students < 0) r.fail(reader::join(path, "students"), "expected a number >= 0");
  if (r.errors.size() != before) return std::nullopt;
  return e;
}

std::optional<target> read_target(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path,
                           {"id", "name", "indicator", "scope", "baseline", "goal", "milestones", "phase", "standard",
                            "qualitative", "obligation", "source", "notes"},
                           {"id", "indicator", "scope", "goal", "source"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  target t;
  t.id = r.id(*o, path);
  t.name = r.text_field(*o, "name", path);
  t.indicator = r.id(*o, path, "indicator");
  t.scope = r.id(*o, path, "scope");
  if (const auto* b = r.field(*o, "baseline")) t.baseline = r.point_value(*b, reader::join(path, "baseline"));
  if (const auto* g = r.field(*o, "goal")) {
    const auto gp = reader::join(path, "goal");
    if (const auto* go = r.object(
            *g, gp,
            {"comparator", "value", "tolerance", "deadline", "deadline_basis", "from", "cumulative", "relative_to"},
            {"comparator"})) {
      if (auto c = r.enumeration(*go, "comparator", gp, comparator_names)) t.goal.comparator = *c;
      if (const auto* x = r.field(*go, "value")) {
        bool ok = true;
        t.goal.value = r.value_of(*x, reader::join(gp, "value"), ok);
        if (ok && t.goal.value.is_missing())
          r.fail(reader::join(gp, "value"),
                 "expected a goal value, got null (omit the key for comparators without a value)");
      }
      t.goal.tolerance = r.number(*go, "tolerance", gp);
      if (auto d = r.date_field(*go, "deadline", gp, date_role::end)) t.goal.deadline = *d;
      if (auto b = r.enumeration(*go, "deadline_basis", gp, deadline_basis_names)) t.goal.deadline_basis = *b;
      if (!r.field(*go, "deadline") && !r.field(*go, "deadline_basis")) t.goal.deadline_basis = deadline_basis::assumed;
      if (auto d = r.date_field(*go, "from", gp, date_role::start)) t.goal.from = *d;
      if (auto c = r.boolean(*go, "cumulative", gp)) t.goal.cumulative = *c;
      if (const auto* rv = r.field(*go, "relative_to")) {
        const auto rp = reader::join(gp, "relative_to");
        if (const auto* ro = r.object(*rv, rp, {"entity", "indicator"}, {"entity"})) {
          relative_ref ref;
          ref.entity = r.id(*ro, rp, "entity");
          if (r.field(*ro, "indicator")) ref.indicator = r.id(*ro, rp, "indicator");
          t.goal.relative_to = std::move(ref);
        }
      }
    }
  }
  if (const auto* a = r.array_field(*o, "milestones", path))
    for (std::size_t i = 0; i < a->size(); ++i)
      if (auto m = r.point_value((*a)[i], reader::at(reader::join(path, "milestones"), i))) t.milestones.push_back(*m);
  if (r.field(*o, "phase")) t.phase = r.id(*o, path, "phase");
  if (r.field(*o, "standard")) t.standard = r.id(*o, path, "standard");
  t.qualitative = r.boolean(*o, "qualitative", path);
  if (auto b = r.enumeration(*o, "obligation", path, obligation_names)) t.obligation = *b;
  if (auto s = r.source_field(*o, "source", path)) t.source = *s;
  if (auto s = r.string(*o, "notes", path)) t.notes = *s;
  if (r.errors.size() != before) return std::nullopt;
  return t;
}

std::optional<recorded_observation> read_observation(reader& r, const json::value& v, const std::string& path) {
  const auto* o =
      r.object(v, path, {"id", "indicator", "entity", "date", "period", "value", "qualifier", "source", "notes"},
               {"id", "indicator", "entity", "value"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  recorded_observation ob;
  ob.id = r.id(*o, path);
  ob.indicator = r.id(*o, path, "indicator");
  ob.entity = r.id(*o, path, "entity");
  const auto* d = r.field(*o, "date");
  const auto* p = r.field(*o, "period");
  if (d && p) {
    r.fail(path, "expected either \"date\" or \"period\", not both");
  } else if (d) {
    if (auto x = r.date_value(*d, reader::join(path, "date"), date_role::end))
      ob.period = {*x, *x, period_kind::custom};
    ob.dated = true;
  } else if (p) {
    ob.dated = false;
    const auto pp = reader::join(path, "period");
    if (p->is_string()) {
      if (auto x = parse_period(p->get_string()))
        ob.period = *x;
      else
        r.fail(pp,
               "expected a period (\"YYYY\", school year \"YYYY/YYYY\" or {\"start\", \"end\"}), got " + describe(*p));
    } else if (const auto* po = r.object(*p, pp, {"start", "end"}, {"start", "end"})) {
      auto s = r.date_field(*po, "start", pp, date_role::start);
      auto e = r.date_field(*po, "end", pp, date_role::end);
      if (s && e) ob.period = {*s, *e, period_kind::custom};
    }
  } else {
    r.fail(path, "expected a \"date\" or a \"period\"");
  }
  if (const auto* x = r.field(*o, "value")) {
    bool ok = true;
    ob.value = r.value_of(*x, reader::join(path, "value"), ok);
  }
  ob.qualifier = r.enumeration(*o, "qualifier", path, qualifier_names);
  ob.source = r.source_field(*o, "source", path);
  if (auto s = r.string(*o, "notes", path)) ob.notes = *s;
  if (r.errors.size() != before) return std::nullopt;
  return ob;
}

std::optional<conflict> read_conflict(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, {"id", "items", "description"}, {"id", "items", "description"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  conflict c;
  c.id = r.id(*o, path);
  if (const auto* a = r.array_field(*o, "items", path))
    for (std::size_t i = 0; i < a->size(); ++i) {
      const auto& s = (*a)[i];
      if (s.is_string())
        c.items.emplace_back(s.get_string());
      else
        r.fail(reader::at(reader::join(path, "items"), i), "expected an id, got " + describe(s));
    }
  if (auto t = r.text_field(*o, "description", path)) c.description = *t;
  if (r.errors.size() != before) return std::nullopt;
  return c;
}

std::optional<note> read_note(reader& r, const json::value& v, const std::string& path) {
  const auto* o = r.object(v, path, {"id", "text", "source"}, {"id", "text"});
  if (!o) return std::nullopt;
  const std::size_t before = r.errors.size();
  note n;
  n.id = r.id(*o, path);
  if (auto t = r.text_field(*o, "text", path)) n.text = *t;
  n.source = r.source_field(*o, "source", path);
  if (r.errors.size() != before) return std::nullopt;
  return n;
}

/// Read `key` of the root as an array and hand each element to `read` then `add`.
template <class Read, class Add>
void each(reader& r, const json::object& root, std::string_view key, Read read, Add add) {
  const auto* a = r.array_field(root, key, "");
  if (!a) return;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const auto path = reader::at(std::string(key), i);
    if (auto item = read(r, (*a)[i], path)) {
      try {
        add(std::move(*item), path);
      } catch (const plan_error& e) {
        r.absorb(e);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

json::value text_json(const text& t) {
  json::object o;
  o["zh"] = t.zh;
  if (!t.en.empty()) o["en"] = t.en;
  return o;
}

json::value source_json(const source_ref& s) {
  json::object o;
  o["phrase"] = s.phrase;
  if (!s.section.empty()) o["section"] = s.section;
  return o;
}

json::value value_json(const value& v) {
  if (v.is_missing()) return nullptr;
  if (v.is_boolean()) return v.boolean();
  if (v.is_number()) return v.number();
  json::array a;
  for (double x : v.vector()) a.emplace_back(x);
  return a;
}

json::value point_json(const point& p) {
  json::object o;
  o["date"] = format_date(p.date);
  o["value"] = value_json(p.value);
  if (p.source) o["source"] = source_json(*p.source);
  return o;
}

void write_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    case '\b': out += "\\b"; break;
    case '\f': out += "\\f"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

bool is_scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

bool is_flat(const json::value& v) {
  if (is_scalar(v)) return true;
  if (const auto* a = v.if_array()) return std::all_of(a->begin(), a->end(), is_scalar);
  const auto& o = v.get_object();
  return std::all_of(o.begin(), o.end(), [](const auto& kv) {
    return is_scalar(kv.value()) || (kv.value().is_array() && std::all_of(kv.value().get_array().begin(),
                                                                          kv.value().get_array().end(), is_scalar));
  });
}

void write(std::string& out, const json::value& v, int indent, bool inline_ok);

void write_inline(std::string& out, const json::value& v) { write(out, v, 0, true); }

void write(std::string& out, const json::value& v, int indent, bool inline_mode) {
  switch (v.kind()) {
  case json::kind::null: out += "null"; return;
  case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
  case json::kind::int64: out += std::to_string(v.get_int64()); return;
  case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
  case json::kind::double_: out += detail::format_number(v.get_double()); return;
  case json::kind::string: write_string(out, v.get_string()); return;
  default: break;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  const std::string close_pad(static_cast<std::size_t>(indent), ' ');
  // small flat containers go on one line when they fit
  if (!inline_mode && is_flat(v)) {
    std::string one;
    write_inline(one, v);
    if (one.size() + static_cast<std::size_t>(indent) <= 110) {
      out += one;
      return;
    }
  }
  if (const auto* a = v.if_array()) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    if (inline_mode) {
      out += '[';
      for (std::size_t i = 0; i < a->size(); ++i) {
        if (i) out += ", ";
        write(out, (*a)[i], 0, true);
      }
      out += ']';
      return;
    }
    out += "[\n";
    for (std::size_t i = 0; i < a->size(); ++i) {
      out += pad;
      write(out, (*a)[i], indent + 2, false);
      out += i + 1 < a->size() ? ",\n" : "\n";
    }
    out += close_pad + "]";
    return;
  }
  const auto& o = v.get_object();
  if (o.empty()) {
    out += "{}";
    return;
  }
  if (inline_mode) {
    out += '{';
    bool first = true;
    for (const auto& kv : o) {
      if (!first) out += ", ";
      first = false;
      write_string(out, kv.key());
      out += ": ";
      write(out, kv.value(), 0, true);
    }
    out += '}';
    return;
  }
  out += "{\n";
  std::size_t i = 0;
  for (const auto& kv : o) {
    out += pad;
    write_string(out, kv.key());
    out += ": ";
    write(out, kv.value(), indent + 2, false);
    out += ++i < o.size() ? ",\n" : "\n";
  }
  out += close_pad + "}";
}

} // namespace

plan parse_plan(std::string_view input, std::string_view source_name) {
  // a UTF-8 byte-order mark is allowed and ignored
  if (input.size() >= 3 && input.substr(0, 3) == "\xEF\xBB\xBF") input.remove_prefix(3);

  json::value root;
  std::size_t line = 0;
  if (auto problem = json_reading::parse_strict(input, source_name, root, &line)) {
    location where; // malformed text: the file (not a placeholder such as "<string>") and the line
    if (!source_name.empty() && !(source_name.front() == '<' && source_name.back() == '>')) where.file = source_name;
    if (line > 0) where.row = line;
    throw plan_error({{severity::error, std::move(problem->first), std::move(problem->second)}}, std::move(where));
  }

  reader r;
  const auto* o =
      r.object(root, "",
               {"format", "format_version", "id", "title", "source", "horizon", "phases", "domains", "standards",
                "constants", "indicators", "entities", "targets", "observations", "conflicts", "notes"},
               {"format", "format_version", "id", "title", "horizon", "phases", "indicators", "entities", "targets"});
  if (!o)
    throw plan_error(r.errors.empty() ? std::vector<diagnostic>{{severity::error, "", "expected an object"}}
                                      : r.errors);
  if (const auto* f = r.field(*o, "format"); f && !(f->is_string() && f->get_string() == "planeval-plan"))
    r.fail("format", "expected \"planeval-plan\", got " + describe(*f));
  if (const auto* f = r.field(*o, "format_version"); f && !(as_number(*f) && *as_number(*f) == 1))
    r.fail("format_version", "expected 1 (the only version this planeval reads), got " + describe(*f));

  const std::string id = r.id(*o, "");
  text title;
  if (auto t = r.text_field(*o, "title", "")) title = *t;
  period horizon{};
  bool horizon_ok = false;
  if (const auto* h = r.field(*o, "horizon")) {
    if (const auto* ho = r.object(*h, "horizon", {"start", "end"}, {"start", "end"})) {
      auto s = r.date_field(*ho, "start", "horizon", date_role::start);
      auto e = r.date_field(*ho, "end", "horizon", date_role::end);
      if (s && e) {
        horizon = {*s, *e, period_kind::custom};
        horizon_ok = true;
      }
    }
  }
  std::optional<document_ref> doc;
  if (const auto* s = r.field(*o, "source")) {
    if (const auto* so = r.object(*s, "source", {"title", "file", "issuer", "url"}, {"title"})) {
      document_ref d;
      if (auto x = r.string(*so, "title", "source")) d.title = *x;
      if (auto x = r.string(*so, "file", "source")) d.file = *x;
      if (auto x = r.string(*so, "issuer", "source")) d.issuer = *x;
      if (auto x = r.string(*so, "url", "source")) d.url = *x;
      doc = d;
    }
  }
  if (!horizon_ok || id.empty() || title.zh.empty()) {
    if (r.errors.empty()) r.fail("", "expected an id, a title and a horizon");
    throw plan_error(r.errors);
  }
  std::optional<plan> result;
  try {
    result.emplace(id, title, horizon);
  } catch (const plan_error& e) {
    r.absorb(e);
    throw plan_error(r.errors);
  }
  plan& p = *result;
  p.set_source(doc);

  each(r, *o, "phases", read_phase, [&](phase x, const std::string& path) { p.add_phase(std::move(x), path); });
  each(r, *o, "domains", read_domain, [&](domain x, const std::string& path) { p.add_domain(std::move(x), path); });
  {
    // standard files are named relative to the plan file (to the working directory for a plan
    // given as text without a file name)
    std::string base;
    if (!source_name.empty() && source_name.find('<') == std::string_view::npos) {
      const auto slash = source_name.find_last_of('/');
      if (slash != std::string_view::npos) base = std::string(source_name.substr(0, slash == 0 ? 1 : slash));
    }
    each(
        r, *o, "standards",
        [&](reader& rr, const json::value& v, const std::string& path) { return read_plan_standard(rr, v, path, base); },
        [&](plan_standard x, const std::string& path) { p.add_standard(std::move(x), path); });
  }
  each(r, *o, "constants", read_constant,
       [&](constant x, const std::string& path) { p.add_constant(std::move(x), path); });
  {
    // a derived indicator may reference indicators later in the file: add in dependency order
    // (the plan then holds them in that order); what cannot be added is unknown or in a cycle
    std::vector<std::pair<indicator, std::string>> pending;
    each(r, *o, "indicators", read_indicator,
         [&](indicator x, const std::string& path) { pending.emplace_back(std::move(x), path); });
    std::map<std::string, std::size_t, std::less<>> in_file;
    for (std::size_t k = 0; k < pending.size(); ++k) in_file.emplace(pending[k].first.id, k);
    // per indicator the references of its expression, numerator and denominator, and all of them
    std::vector<std::array<std::vector<std::string>, 3>> field_refs;
    std::vector<std::vector<std::string>> refs;
    for (const auto& [x, path] : pending) {
      auto& fr = field_refs.emplace_back();
      auto& all = refs.emplace_back();
      if (!x.formula) continue;
      fr = {references_of(x.formula->expression), references_of(x.formula->numerator),
            references_of(x.formula->denominator)};
      for (const auto& side : fr)
        for (const auto& ref : side)
          if (std::find(all.begin(), all.end(), ref) == all.end()) all.push_back(ref);
    }
    std::vector<std::uint8_t> done(pending.size(), 0);
    auto add = [&](std::size_t k) {
      done[k] = 1;
      try {
        p.add_indicator(std::move(pending[k].first), pending[k].second);
      } catch (const plan_error& e) {
        r.absorb(e);
      }
    };
    for (bool progress = true; progress;) {
      progress = false;
      for (std::size_t k = 0; k < pending.size(); ++k) {
        if (done[k]) continue;
        // ready when every reference is the indicator itself, or was added (or failed: then
        // add_indicator reports it as unknown), or is not an indicator of the file (reported as
        // unknown, with its column)
        const bool ready = std::all_of(refs[k].begin(), refs[k].end(), [&](const std::string& ref) {
          const auto f = in_file.find(ref);
          return ref == pending[k].first.id || f == in_file.end() || done[f->second];
        });
        if (ready) {
          add(k);
          progress = true;
          break; // again from the top: a derived indicator lands right behind what it needs
        }
      }
    }
    // the rest wait on each other: report each one's cycle (or the cycle it depends on)
    std::map<std::string, std::size_t, std::less<>> waiting;
    for (std::size_t k = 0; k < pending.size(); ++k)
      if (!done[k]) waiting.emplace(pending[k].first.id, k);
    for (std::size_t k = 0; k < pending.size(); ++k) {
      if (done[k]) continue;
      // follow the first waiting reference until an indicator repeats
      std::vector<std::string> chain{pending[k].first.id};
      for (std::size_t cur = k;;) {
        const auto next = std::find_if(refs[cur].begin(), refs[cur].end(),
                                       [&](const std::string& ref) { return waiting.count(ref) != 0; });
        if (next == refs[cur].end()) break; // cannot happen: a waiting indicator waits on one
        const bool repeats = std::find(chain.begin(), chain.end(), *next) != chain.end();
        chain.push_back(*next);
        if (repeats) break;
        cur = waiting.at(*next);
      }
      const auto& x = pending[k].first;
      if (chain.size() < 2) continue; // cannot happen: a waiting indicator waits on another
      // the field naming the next indicator of the chain
      static constexpr std::array<const char*, 3> fields{"expression", "numerator", "denominator"};
      std::string field = fields[0];
      for (std::size_t f = 0; f < fields.size(); ++f)
        if (std::find(field_refs[k][f].begin(), field_refs[k][f].end(), chain[1]) != field_refs[k][f].end()) {
          field = fields[f];
          break;
        }
      std::string text;
      for (const auto& ref : chain) text += (text.empty() ? "" : " -> ") + ref;
      const bool in_cycle = chain.back() == x.id;
      r.fail(reader::join(pending[k].second, field), in_cycle
                                                         ? "cycle between derived indicators: " + text
                                                         : "depends on a cycle between derived indicators: " + text);
    }
  }
  {
    // entities may name a parent that comes later in the file: add in dependency order
    std::vector<std::pair<entity, std::string>> pending;
    each(r, *o, "entities", read_entity,
         [&](entity x, const std::string& path) { pending.emplace_back(std::move(x), path); });
    // Each pass adds every entity whose parent is known and keeps the others, in file order, for
    // the next pass: one pass for a file listing parents first, linear in the entities (erasing
    // from the front of the vector made 50,000 schools take 15 s).
    bool progress = true;
    while (!pending.empty() && progress) {
      progress = false;
      std::vector<std::pair<entity, std::string>> later;
      for (auto& item : pending) {
        if (item.first.parent.empty() || p.find_entity(item.first.parent)) {
          try {
            p.add_entity(std::move(item.first), item.second);
          } catch (const plan_error& e) {
            r.absorb(e);
          }
          progress = true;
        } else {
          later.push_back(std::move(item));
        }
      }
      pending = std::move(later);
    }
    std::set<std::string_view> pending_ids;
    for (const auto& q : pending) pending_ids.insert(q.first.id);
    for (const auto& [e, path] : pending) {
      const bool in_cycle = pending_ids.count(e.parent) > 0;
      r.fail(path + ".parent", in_cycle ? "entity " + quoted(e.id) + " is part of a cycle of parents"
                                        : "unknown entity " + quoted(e.parent));
    }
  }
  each(r, *o, "targets", read_target, [&](target x, const std::string& path) { p.add_target(std::move(x), path); });
  each(r, *o, "observations", read_observation,
       [&](recorded_observation x, const std::string& path) { p.add_observation(std::move(x), path); });
  each(r, *o, "notes", read_note, [&](note x, const std::string& path) { p.add_note(std::move(x), path); });
  each(r, *o, "conflicts", read_conflict,
       [&](conflict x, const std::string& path) { p.add_conflict(std::move(x), path); });

  if (!r.errors.empty()) {
    // one error, not a cascade: an indicator or entity that is itself in error is not added, so
    // every reference to it would also say "unknown indicator"; its own error is the root cause
    std::set<std::string, std::less<>> failed_indicators, failed_entities;
    for (const auto& [key, failed] : {std::pair<const char*, std::set<std::string, std::less<>>*>{"indicators", &failed_indicators},
                                      {"entities", &failed_entities}})
      if (const auto* a = o->if_contains(key); a && a->is_array())
        for (const auto& item : a->get_array())
          if (const auto* io = item.if_object())
            if (const auto* item_id = io->if_contains("id"); item_id && item_id->is_string()) {
              const std::string_view x = item_id->get_string();
              const bool present = std::string_view(key) == "indicators" ? p.find_indicator(x).has_value()
                                                                         : p.find_entity(x).has_value();
              if (!present) failed->emplace(x);
            }
    const auto follows = [&](const diagnostic& d) {
      for (const auto& [prefix, ids] : {std::pair<std::string, const std::set<std::string, std::less<>>*>{
                                            "unknown indicator \"", &failed_indicators},
                                        {"unknown entity \"", &failed_entities}})
        if (d.message.rfind(prefix, 0) == 0) {
          const auto end = d.message.find('"', prefix.size());
          if (end != std::string::npos && ids->count(std::string_view(d.message).substr(prefix.size(), end - prefix.size())))
            return true;
        }
      return false;
    };
    std::erase_if(r.errors, follows);
    throw plan_error(std::move(r.errors));
  }
  return std::move(*result);
}

plan load_plan(const std::string& path) {
  const auto unreadable = [&](const char* why) { // the file is the place: no JSON path
    location where;
    where.file = path;
    return plan_error({{severity::error, path, why}}, std::move(where));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) throw unreadable("cannot open the plan file");
  std::string content;
  try {
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::ios_base::failure&) { // e.g. a directory
    throw unreadable("cannot read the plan file");
  }
  if (in.bad()) throw unreadable("cannot read the plan file");
  try {
    return parse_plan(content, path);
  } catch (const plan_error& e) {
    // prefix JSON paths with the file so the user knows where to look
    std::vector<diagnostic> errs = e.errors();
    location where = e.where(); // the first error's JSON path, without the file name
    if (where.path.rfind(path, 0) == 0) where.path.clear(); // "plan.json:3:5" (malformed JSON) is no JSON path
    where.file = path;
    for (auto& d : errs)
      if (d.path.rfind(path, 0) != 0) d.path = path + ": " + d.path;
    throw plan_error(std::move(errs), std::move(where));
  }
}

std::string to_json(const plan& p) { return to_json(p, false); }

std::string to_json(const plan& p, bool embed_standard_files) {
  json::object root;
  root["format"] = "planeval-plan";
  root["format_version"] = 1;
  root["id"] = p.id();
  root["title"] = text_json(p.title());
  if (const auto& s = p.source()) {
    json::object d;
    d["title"] = s->title;
    if (!s->file.empty()) d["file"] = s->file;
    if (!s->issuer.empty()) d["issuer"] = s->issuer;
    if (!s->url.empty()) d["url"] = s->url;
    root["source"] = std::move(d);
  }
  root["horizon"] = json::object{{"start", format_date(p.horizon().start)}, {"end", format_date(p.horizon().end)}};

  json::array phases;
  for (const auto& ph : p.phases()) {
    json::object o;
    o["id"] = ph.id;
    o["name"] = text_json(ph.name);
    o["start"] = format_date(ph.start);
    o["end"] = format_date(ph.end);
    if (ph.source) o["source"] = source_json(*ph.source);
    phases.push_back(std::move(o));
  }
  root["phases"] = std::move(phases);

  if (!p.domains().empty()) {
    json::array ds;
    for (const auto& d : p.domains()) ds.push_back(json::object{{"id", d.id}, {"name", text_json(d.name)}});
    root["domains"] = std::move(ds);
  }
  if (!p.standards().empty()) {
    json::array ss;
    for (const auto& st : p.standards()) {
      if (!st.file.empty() && !embed_standard_files) {
        ss.push_back(json::object{{"file", st.file}});
      } else {
        ss.push_back(json::parse(st.json));
      }
    }
    root["standards"] = std::move(ss);
  }

  if (!p.constants().empty()) {
    json::array cs;
    for (const auto& c : p.constants()) {
      json::object o;
      o["id"] = c.id;
      o["name"] = text_json(c.name);
      o["value"] = c.value;
      if (c.source) o["source"] = source_json(*c.source);
      cs.push_back(std::move(o));
    }
    root["constants"] = std::move(cs);
  }

  json::array inds;
  for (const auto& i : p.indicators()) {
    json::object o;
    o["id"] = i.id;
    o["name"] = text_json(i.name);
    o["unit"] = i.unit;
    if (!i.unit_en.empty()) o["unit_en"] = i.unit_en;
    o["kind"] = to_string(i.kind);
    o["direction"] = to_string(i.direction);
    if (i.decimals) o["decimals"] = *i.decimals;
    if (!i.stages.empty()) {
      json::array a;
      for (auto s : i.stages) a.emplace_back(to_string(s));
      o["stages"] = std::move(a);
    }
    if (!i.domain.empty()) o["domain"] = i.domain;
    if (i.obligation != obligation::unspecified) o["obligation"] = to_string(i.obligation);
    if (!i.parent.empty()) o["parent"] = i.parent;
    if (!i.tags.empty()) o["tags"] = json::array(i.tags.begin(), i.tags.end());
    if (i.definition) o["definition"] = text_json(*i.definition);
    if (!i.share_labels.empty()) o["share_labels"] = json::array(i.share_labels.begin(), i.share_labels.end());
    if (i.across_entities != entity_rule::unspecified || i.across_time != time_rule::unspecified ||
        !i.weight_by.empty()) {
      json::object a;
      if (i.across_entities != entity_rule::unspecified) a["entities"] = to_string(i.across_entities);
      if (i.across_time != time_rule::unspecified) a["time"] = to_string(i.across_time);
      if (!i.weight_by.empty()) a["weight"] = i.weight_by;
      o["aggregation"] = std::move(a);
    }
    if (i.source) o["source"] = source_json(*i.source);
    if (i.formula) {
      const auto& f = *i.formula;
      if (!f.expression.empty()) o["expression"] = f.expression;
      if (!f.numerator.empty()) o["numerator"] = f.numerator;
      if (!f.denominator.empty()) o["denominator"] = f.denominator;
      if (f.factor != 1) o["factor"] = f.factor;
      if (f.missing != rules::missing_policy::skip_if_any_missing) o["missing"] = to_string(f.missing);
    }
    inds.push_back(std::move(o));
  }
  root["indicators"] = std::move(inds);

  json::array ents;
  for (const auto& e : p.entities()) {
    json::object o;
    o["id"] = e.id;
    o["name"] = text_json(e.name);
    o["kind"] = to_string(e.kind);
    if (!e.parent.empty()) o["parent"] = e.parent;
    if (e.stage) o["stage"] = to_string(*e.stage);
    if (e.ownership) o["ownership"] = to_string(*e.ownership);
    if (e.students) o["students"] = *e.students;
    ents.push_back(std::move(o));
  }
  root["entities"] = std::move(ents);

  json::array tgts;
  for (const auto& t : p.targets()) {
    json::object o;
    o["id"] = t.id;
    if (t.name) o["name"] = text_json(*t.name);
    o["indicator"] = t.indicator;
    o["scope"] = t.scope;
    if (t.baseline) o["baseline"] = point_json(*t.baseline);
    json::object g;
    g["comparator"] = to_string(t.goal.comparator);
    if (!t.goal.value.is_missing()) g["value"] = value_json(t.goal.value);
    if (t.goal.tolerance) g["tolerance"] = *t.goal.tolerance;
    if (t.goal.deadline_basis != deadline_basis::assumed) g["deadline"] = format_date(t.goal.deadline);
    if (t.goal.deadline_basis == deadline_basis::phase || t.goal.deadline_basis == deadline_basis::plan_period)
      g["deadline_basis"] = to_string(t.goal.deadline_basis);
    if (t.goal.from) g["from"] = format_date(*t.goal.from);
    if (t.goal.cumulative) g["cumulative"] = true;
    if (const auto& rel = t.goal.relative_to) {
      json::object ro;
      ro["entity"] = rel->entity;
      if (!rel->indicator.empty()) ro["indicator"] = rel->indicator;
      g["relative_to"] = std::move(ro);
    }
    o["goal"] = std::move(g);
    if (!t.milestones.empty()) {
      json::array m;
      for (const auto& x : t.milestones) m.push_back(point_json(x));
      o["milestones"] = std::move(m);
    }
    if (!t.phase.empty()) o["phase"] = t.phase;
    if (!t.standard.empty()) o["standard"] = t.standard;
    if (t.qualitative) o["qualitative"] = *t.qualitative;
    if (t.obligation != obligation::unspecified) o["obligation"] = to_string(t.obligation);
    o["source"] = source_json(t.source);
    if (!t.notes.empty()) o["notes"] = t.notes;
    tgts.push_back(std::move(o));
  }
  root["targets"] = std::move(tgts);

  if (!p.observations().empty()) {
    json::array obs;
    for (const auto& x : p.observations()) {
      json::object o;
      o["id"] = x.id;
      o["indicator"] = x.indicator;
      o["entity"] = x.entity;
      if (x.dated) {
        o["date"] = format_date(x.period.end);
      } else if (x.period.kind == period_kind::custom) {
        o["period"] = json::object{{"start", format_date(x.period.start)}, {"end", format_date(x.period.end)}};
      } else {
        o["period"] = format_period(x.period);
      }
      o["value"] = value_json(x.value);
      if (x.qualifier) o["qualifier"] = to_string(*x.qualifier);
      if (x.source) o["source"] = source_json(*x.source);
      if (!x.notes.empty()) o["notes"] = x.notes;
      obs.push_back(std::move(o));
    }
    root["observations"] = std::move(obs);
  }
  if (!p.conflicts().empty()) {
    json::array cs;
    for (const auto& c : p.conflicts()) {
      json::object o;
      o["id"] = c.id;
      o["items"] = json::array(c.items.begin(), c.items.end());
      o["description"] = text_json(c.description);
      cs.push_back(std::move(o));
    }
    root["conflicts"] = std::move(cs);
  }
  if (!p.notes().empty()) {
    json::array ns;
    for (const auto& n : p.notes()) {
      json::object o;
      o["id"] = n.id;
      o["text"] = text_json(n.text);
      if (n.source) o["source"] = source_json(*n.source);
      ns.push_back(std::move(o));
    }
    root["notes"] = std::move(ns);
  }

  std::string out;
  write(out, root, 0, false);
  out += '\n';
  return out;
}

void save_plan(const plan& p, const std::string& path) {
  const std::string s = to_json(p);
  std::ofstream out(path, std::ios::binary);
  if (!out) throw error(path + ": cannot open for writing");
  out.write(s.data(), static_cast<std::streamsize>(s.size()));
  if (!out) throw error(path + ": cannot write");
}

} // namespace planeval
