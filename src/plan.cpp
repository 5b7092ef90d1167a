// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/detail/format_number.hpp>
#include <planeval/detail/utf8.hpp>
#include <planeval/expression.hpp>
#include <planeval/plan.hpp>
#include <planeval/standard.hpp>

#include <algorithm>
#include <cmath>
#include <set>

namespace planeval {

namespace {

using diags = std::vector<diagnostic>;

void fail(diags& errs, std::string path, std::string msg) {
  errs.push_back({severity::error, std::move(path), std::move(msg)});
}

void throw_if(diags& errs) {
  if (!errs.empty()) throw plan_error(std::move(errs));
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

void check_id(diags& errs, const std::string& path, const std::string& id) {
  if (id.empty())
    fail(errs, path + ".id", "expected a non-empty id");
  else if (!is_valid_id(id))
    fail(errs, path + ".id", "expected an id (" + std::string(id_rule) + "), got " + quoted(id));
}

/// Text is UTF-8, or it is refused here: stored, it could not be written to JSON or read back.
void check_utf8(diags& errs, const std::string& path, std::string_view s) {
  if (detail::invalid_utf8_at(s))
    fail(errs, path,
         "expected UTF-8 text, got \"" + detail::escape_invalid_utf8(s) +
             "\" (GBK/GB18030 bytes? decode the input as what it is, or save it as UTF-8)");
}

void check_source(diags& errs, const std::string& path, const std::optional<source_ref>& s) {
  if (!s) return;
  check_utf8(errs, path + ".phrase", s->phrase);
  check_utf8(errs, path + ".section", s->section);
}

void check_text(diags& errs, const std::string& path, const text& t) {
  check_utf8(errs, path + ".zh", t.zh);
  check_utf8(errs, path + ".en", t.en);
  if (t.zh.empty()) fail(errs, path + ".zh", "expected non-empty Chinese text");
}

std::string range_text(date a, date b) { return format_date(a) + ".." + format_date(b); }

/// FNV-1a over the previous hash and the id (and a separator, so "ab","c" differs from "a","bc").
std::uint64_t chain_hash(const std::vector<std::uint64_t>& hashes, std::string_view id) {
  std::uint64_t h = hashes.empty() ? 14695981039346656037ull : hashes.back();
  for (char c : id) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return (h ^ 0xFFu) * 1099511628211ull;
}

} // namespace

void plan::check_formula(diags& errs, const std::string& path, const indicator& ind) const {
  const indicator_formula& f = *ind.formula;
  if (ind.kind == value_kind::shares) {
    fail(errs, path + ".kind", "a shares indicator cannot be derived: formulas give numbers or booleans");
    return;
  }
  const bool ratio = f.is_ratio();
  if (ratio && !f.expression.empty())
    fail(errs, path + ".expression", "expected either an expression or a numerator and a denominator, not both");
  if (!ratio && f.expression.empty()) fail(errs, path + ".expression", "expected a formula, got an empty string");
  if (ratio && f.numerator.empty()) fail(errs, path + ".numerator", "expected a numerator with the denominator");
  if (ratio && f.denominator.empty()) fail(errs, path + ".denominator", "expected a denominator with the numerator");
  if (!ratio && f.factor != 1)
    fail(errs, path + ".factor", "a factor applies to numerator / denominator formulas only");
  if (!std::isfinite(f.factor) || f.factor == 0)
    fail(errs, path + ".factor", "expected a finite non-zero number, got " + detail::format_number(f.factor));
  if (ratio && ind.kind == value_kind::boolean)
    fail(errs, path + ".kind", "a numerator / denominator formula gives a number, not a boolean");
  if (ratio && (ind.across_time == time_rule::sum || ind.across_time == time_rule::mean_days))
    fail(errs, path + ".aggregation.time",
         "a ratio cannot be combined over time by " + quoted(to_string(ind.across_time)) +
             "; use last, first, mean, min or max");
  // the names a formula may use: the indicators and constants already in the plan, and the
  // indicator itself (so that a self-reference is reported as a cycle, not as unknown)
  expression_names known;
  known.indicators.emplace();
  for (const auto& i : indicators_) known.indicators->insert(i.id);
  known.indicators->insert(ind.id);
  known.constants.emplace();
  for (const auto& c : constants_) known.constants->insert(c.id);
  auto check = [&](const std::string& text, const char* field, bool want_number) {
    if (text.empty()) return;
    const std::string at = path + "." + field;
    try {
      const auto e = expression::parse(text, known);
      for (const auto& r : e.references()) {
        if (r == ind.id) {
          fail(errs, at, "cycle between derived indicators: " + ind.id + " -> " + ind.id);
          continue;
        }
        const auto& ri = indicators_[indicator_index_.at(r)];
        if (ri.kind == value_kind::shares)
          fail(errs, at, "indicator " + quoted(r) + " is a shares indicator; formulas read numbers");
      }
      const bool number = e.result_type() == expression_type::number;
      if (want_number && !number)
        fail(errs, at, "expected a formula giving a number, got a " + std::string(to_string(e.result_type())));
      else if (!want_number && ind.kind == value_kind::boolean && number)
        fail(errs, at,
             "expected a formula giving a boolean for boolean indicator " + quoted(ind.id) + ", got a number");
      else if (!want_number && ind.kind != value_kind::boolean && !number)
        fail(errs, at,
             "expected a formula giving a number for " + std::string(to_string(ind.kind)) + " indicator " +
                 quoted(ind.id) + ", got a boolean");
    } catch (const expression_error& e) {
      fail(errs, at, e.what());
    }
  };
  check(f.expression, "expression", false);
  check(f.numerator, "numerator", true);
  check(f.denominator, "denominator", true);
}

plan::index_type plan::add_constant(constant c, std::string path) {
  if (path.empty()) path = "constants[" + std::to_string(constants_.size()) + "]";
  diags errs;
  check_id(errs, path, c.id);
  if (constant_index_.count(c.id)) fail(errs, path + ".id", "duplicate constant id " + quoted(c.id));
  check_text(errs, path + ".name", c.name);
  if (!std::isfinite(c.value))
    fail(errs, path + ".value", "expected a finite number, got " + detail::format_number(c.value));
  throw_if(errs);
  const auto i = static_cast<index_type>(constants_.size());
  constant_index_.emplace(c.id, i);
  constants_.push_back(std::move(c));
  return i;
}

bool is_valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > 128 || detail::invalid_utf8_at(id)) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(id[i]); };
  if (byte(0) < 0x80 && !alnum(id.front())) return false;
  for (std::size_t i = 0; i < id.size();) {
    const unsigned char b = byte(i);
    if (b < 0x80) {
      if (!(alnum(id[i]) || id[i] == '_' || id[i] == '.' || id[i] == '-')) return false;
      ++i;
      continue;
    }
    // a code point of valid UTF-8 (checked above)
    const std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    char32_t cp = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
    i += len;
    const auto in = [&](char32_t lo, char32_t hi) { return cp >= lo && cp <= hi; };
    // C1 controls, NBSP, soft hyphen; Unicode spaces, zero-width and direction marks, line and
    // paragraph separators; the ideographic space; the byte-order mark; private use
    if (in(0x80, 0xA0) || cp == 0xAD || cp == 0x1680 || cp == 0x180E || in(0x2000, 0x200F) || in(0x2028, 0x202F) ||
        in(0x205F, 0x206F) || cp == 0x3000 || cp == 0xFEFF || in(0xE000, 0xF8FF))
      return false;
    // combining marks: a decomposed spelling (e + ◌́) of what NFC writes as one character (é)
    if (in(0x300, 0x36F) || in(0x1AB0, 0x1AFF) || in(0x1DC0, 0x1DFF) || in(0x20D0, 0x20FF) || in(0xFE20, 0xFE2F))
      return false;
  }
  return true;
}

plan::plan(std::string id, text title, period horizon)
    : id_(std::move(id)), title_(std::move(title)), horizon_(horizon) {
  diags errs;
  if (id_.empty())
    fail(errs, "id", "expected a non-empty id");
  else if (!is_valid_id(id_))
    fail(errs, "id", "expected an id (" + std::string(id_rule) + "), got " + quoted(id_));
  check_text(errs, "title", title_);
  if (horizon_.start.is_special() || horizon_.end.is_special())
    fail(errs, "horizon", "expected start and end dates");
  else if (horizon_.end < horizon_.start)
    fail(errs, "horizon.end",
         "expected an end on or after the start " + format_date(horizon_.start) + ", got " + format_date(horizon_.end));
  horizon_.kind = period_kind::custom;
  throw_if(errs);
}

plan::index_type plan::add_phase(phase p, std::string path) {
  if (path.empty()) path = "phases[" + std::to_string(phases_.size()) + "]";
  diags errs;
  check_id(errs, path, p.id);
  if (phase_index_.count(p.id)) fail(errs, path + ".id", "duplicate phase id " + quoted(p.id));
  check_text(errs, path + ".name", p.name);
  check_source(errs, path + ".source", p.source);
  if (p.start.is_special() || p.end.is_special()) {
    fail(errs, path, "expected start and end dates");
  } else if (p.end < p.start) {
    fail(errs, path + ".end",
         "expected an end on or after the start " + format_date(p.start) + ", got " + format_date(p.end));
  } else {
    if (!horizon_.contains(p.start) || !horizon_.contains(p.end))
      fail(errs, path,
           "expected the phase " + range_text(p.start, p.end) + " to lie within the plan horizon " +
               range_text(horizon_.start, horizon_.end));
    for (const auto& q : phases_)
      if (p.start <= q.end && q.start <= p.end)
        fail(errs, path,
             "phase " + range_text(p.start, p.end) + " overlaps phase " + quoted(q.id) + " (" +
                 range_text(q.start, q.end) + ")");
  }
  throw_if(errs);
  const auto i = static_cast<index_type>(phases_.size());
  phase_index_.emplace(p.id, i);
  phases_.push_back(std::move(p));
  return i;
}

void plan::set_source(std::optional<document_ref> s) {
  if (s) {
    diags errs;
    check_utf8(errs, "source.title", s->title);
    check_utf8(errs, "source.file", s->file);
    check_utf8(errs, "source.issuer", s->issuer);
    check_utf8(errs, "source.url", s->url);
    throw_if(errs);
  }
  source_ = std::move(s);
}

plan::index_type plan::add_domain(domain d, std::string path) {
  if (path.empty()) path = "domains[" + std::to_string(domains_.size()) + "]";
  diags errs;
  check_id(errs, path, d.id);
  if (domain_index_.count(d.id)) fail(errs, path + ".id", "duplicate domain id " + quoted(d.id));
  check_text(errs, path + ".name", d.name);
  throw_if(errs);
  const auto i = static_cast<index_type>(domains_.size());
  domain_index_.emplace(d.id, i);
  domains_.push_back(std::move(d));
  return i;
}

text plan::domain_name(std::string_view id) const {
  if (id.empty()) return {"其他", "other"};
  if (auto i = find_domain(id)) return domains_[*i].name;
  return {std::string(id), std::string(id)};
}

plan::index_type plan::add_standard(plan_standard s, std::string path) {
  if (path.empty()) path = "standards[" + std::to_string(standards_.size()) + "]";
  // a UTF-8 byte-order mark is allowed (as in plan files) and not kept: the plan holds plain JSON
  if (s.json.size() >= 3 && s.json.compare(0, 3, "\xEF\xBB\xBF") == 0) s.json.erase(0, 3);
  diags errs;
  try {
    const standard parsed = parse_standard(s.json, s.file);
    if (s.id.empty()) s.id = parsed.id;
    if (s.id != parsed.id)
      fail(errs, path + ".id", "expected the standard's own id " + quoted(parsed.id) + ", got " + quoted(s.id));
  } catch (const standard_error& e) {
    for (const auto& d : e.errors())
      fail(errs, s.file.empty() ? (d.path.empty() ? path : path + "." + d.path) : path + ": " + d.path, d.message);
  } catch (const error& e) {
    fail(errs, path, e.what());
  }
  if (!s.id.empty() && find_standard(s.id)) fail(errs, path + ".id", "duplicate standard id " + quoted(s.id));
  throw_if(errs);
  const auto i = static_cast<index_type>(standards_.size());
  standards_.push_back(std::move(s));
  return i;
}

std::optional<std::uint32_t> id_or_name::find(std::string_view key, std::vector<std::string>* ambiguous) {
  if (auto k = what_ == name_index::items::indicators ? p_.find_indicator(key) : p_.find_entity(key)) return k;
  if (key.empty()) return std::nullopt;
  if (!names_) names_.emplace(p_, what_);
  return names_->find(key, ambiguous);
}

name_index::name_index(const plan& p, items what) {
  const auto add = [&](const auto& list, std::size_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto& it = list[i];
      ids_.push_back(it.id);
      by_name_[it.name.zh].push_back(i);
      if (!it.name.en.empty() && it.name.en != it.name.zh) by_name_[it.name.en].push_back(i);
    }
  };
  if (what == items::indicators)
    add(p.indicators(), p.indicators().size());
  else
    add(p.entities(), p.entities().size());
}

std::optional<std::uint32_t> name_index::find(std::string_view name, std::vector<std::string>* ambiguous) const {
  if (name.empty()) return std::nullopt;
  const auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  std::vector<std::uint32_t> found = it->second;
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  if (found.size() == 1) return found.front();
  if (ambiguous)
    for (auto i : found) ambiguous->push_back(ids_[i]);
  return std::nullopt;
}

const plan_standard* plan::find_standard(std::string_view id) const noexcept {
  for (const auto& s : standards_)
    if (s.id == id) return &s;
  return nullptr;
}

plan::index_type plan::add_indicator(indicator ind, std::string path) {
  if (path.empty()) path = "indicators[" + std::to_string(indicators_.size()) + "]";
  diags errs;
  check_id(errs, path, ind.id);
  if (indicator_index_.count(ind.id)) fail(errs, path + ".id", "duplicate indicator id " + quoted(ind.id));
  check_text(errs, path + ".name", ind.name);
  if (ind.unit.empty()) fail(errs, path + ".unit", "expected a non-empty unit (人, %, 所, 元, ...)");
  check_utf8(errs, path + ".unit", ind.unit);
  check_utf8(errs, path + ".unit_en", ind.unit_en);
  for (std::size_t k = 0; k < ind.tags.size(); ++k) check_utf8(errs, path + ".tags[" + std::to_string(k) + "]", ind.tags[k]);
  for (std::size_t k = 0; k < ind.share_labels.size(); ++k)
    check_utf8(errs, path + ".share_labels[" + std::to_string(k) + "]", ind.share_labels[k]);
  check_source(errs, path + ".source", ind.source);
  if (ind.decimals && (*ind.decimals < 0 || *ind.decimals > 12))
    fail(errs, path + ".decimals", "expected an integer from 0 to 12, got " + std::to_string(*ind.decimals));
  if (!ind.domain.empty() && !is_valid_id(ind.domain))
    fail(errs, path + ".domain", "expected an id (" + std::string(id_rule) + "), got " + quoted(ind.domain));
  else if (!ind.domain.empty() && !domain_index_.count(ind.domain))
    fail(errs, path + ".domain",
         "unknown domain " + quoted(ind.domain) + " (declare it in the plan's domains[] with its zh/en name)");
  if (!ind.parent.empty()) {
    if (ind.parent == ind.id)
      fail(errs, path + ".parent", "an indicator cannot be its own parent");
    else if (!indicator_index_.count(ind.parent))
      fail(errs, path + ".parent",
           "unknown indicator " + quoted(ind.parent) + " (a parent comes before its sub-indicators)");
  }
  if (!ind.weight_by.empty()) {
    const std::string at = path + ".aggregation.weight";
    const entity_rule r = ind.across_entities;
    const bool weighted = r == entity_rule::weighted_mean || r == entity_rule::ratio_of_sums ||
                          (r == entity_rule::unspecified && (ind.kind == value_kind::rate || ind.kind == value_kind::ratio));
    if (!weighted)
      fail(errs, at, "a weight applies to weighted_mean and ratio_of_sums only, not to " +
                         quoted(r == entity_rule::unspecified ? std::string("the default rule of a ") +
                                                                    std::string(to_string(ind.kind))
                                                              : std::string(to_string(r))));
    else if (ind.weight_by != "students" && ind.weight_by != "units") {
      const auto k = indicator_index_.find(ind.weight_by);
      if (ind.weight_by == ind.id)
        fail(errs, at, "an indicator cannot be its own weight");
      else if (k == indicator_index_.end())
        fail(errs, at,
             "expected \"students\", \"units\" or the id of a count indicator defined before this one, got " +
                 quoted(ind.weight_by));
      else if (indicators_[k->second].kind != value_kind::count)
        fail(errs, at, "the weight " + quoted(ind.weight_by) + " is a " +
                           std::string(to_string(indicators_[k->second].kind)) + " indicator; expected a count");
    }
  }
  if (!ind.share_labels.empty() && ind.kind != value_kind::shares)
    fail(errs, path + ".share_labels", "share labels are only valid for a \"shares\" indicator");
  if (ind.share_labels.size() == 1) fail(errs, path + ".share_labels", "expected at least two share labels");
  if (ind.definition) check_text(errs, path + ".definition", *ind.definition);
  {
    std::set<stage> seen;
    for (std::size_t k = 0; k < ind.stages.size(); ++k)
      if (!seen.insert(ind.stages[k]).second)
        fail(errs, path + ".stages[" + std::to_string(k) + "]", "duplicate stage " + quoted(to_string(ind.stages[k])));
  }
  if (ind.formula) check_formula(errs, path, ind);
  throw_if(errs);
  const auto i = static_cast<index_type>(indicators_.size());
  indicator_index_.emplace(ind.id, i);
  indicator_hashes_.push_back(chain_hash(indicator_hashes_, ind.id));
  indicators_.push_back(std::move(ind));
  return i;
}

entity_tree::index_type plan::add_entity(entity e, std::string path) {
  if (path.empty()) path = "entities[" + std::to_string(entities_.size()) + "]";
  diags errs;
  check_id(errs, path, e.id);
  check_text(errs, path + ".name", e.name);
  if (e.students && (!std::isfinite(*e.students) || *e.students < 0))
    fail(errs, path + ".students", "expected a finite number >= 0");
  if (!e.id.empty() && entities_.find(e.id)) fail(errs, path + ".id", "duplicate entity id " + quoted(e.id));
  if (!e.parent.empty() && !entities_.find(e.parent))
    fail(errs, path + ".parent", "unknown entity " + quoted(e.parent));
  throw_if(errs);
  const std::uint64_t h = chain_hash(entity_hashes_, e.id);
  const auto i = entities_.add(std::move(e));
  entity_hashes_.push_back(h);
  return i;
}

plan_key plan::key() const {
  return {id_, static_cast<std::uint32_t>(indicators_.size()), static_cast<std::uint32_t>(entities_.size()),
          indicator_hashes_.empty() ? 0 : indicator_hashes_.back(), entity_hashes_.empty() ? 0 : entity_hashes_.back()};
}

bool plan::extends(const plan_key& k) const noexcept {
  if (k.id != id_ || k.indicators > indicator_hashes_.size() || k.entities > entity_hashes_.size()) return false;
  return (k.indicators == 0 || indicator_hashes_[k.indicators - 1] == k.indicator_hash) &&
         (k.entities == 0 || entity_hashes_[k.entities - 1] == k.entity_hash);
}

void plan::check_value(diags& errs, const std::string& path, const indicator& ind, const value& v,
                       bool allow_missing) const {
  if (v.is_missing()) {
    if (!allow_missing) fail(errs, path, "expected a value, got null");
    return;
  }
  if (v.has_non_finite()) {
    fail(errs, path, "expected a finite number, got " + v.to_string());
    return;
  }
  switch (ind.kind) {
  case value_kind::boolean:
    if (!v.is_boolean())
      fail(errs, path, "expected true or false for boolean indicator " + quoted(ind.id) + ", got " + v.to_string());
    return;
  case value_kind::shares: {
    if (!v.is_vector()) {
      fail(errs, path, "expected an array of shares for shares indicator " + quoted(ind.id) + ", got " + v.to_string());
      return;
    }
    const auto& s = v.vector();
    double sum = 0;
    for (double x : s) {
      if (x < 0) fail(errs, path, "expected non-negative shares, got " + v.to_string());
      sum += x;
    }
    if (sum <= 0) fail(errs, path, "expected shares with a positive sum, got " + v.to_string());
    if (!ind.share_labels.empty() && s.size() != ind.share_labels.size())
      fail(errs, path,
           "expected " + std::to_string(ind.share_labels.size()) + " shares (one per label of " + quoted(ind.id) +
               "), got " + std::to_string(s.size()));
    return;
  }
  default:
    if (!v.is_number()) {
      fail(errs, path,
           "expected a number for " + std::string(to_string(ind.kind)) + " indicator " + quoted(ind.id) + ", got " +
               v.to_string());
      return;
    }
    if (ind.is_percentage() && (v.number() < 0 || v.number() > 100))
      fail(errs, path, "expected a percentage from 0 to 100 for " + quoted(ind.id) + ", got " + v.to_string());
    if ((ind.kind == value_kind::count) && v.number() < 0)
      fail(errs, path, "expected a count >= 0, got " + v.to_string());
  }
}

plan::index_type plan::add_target(target t, std::string path) {
  if (path.empty()) path = "targets[" + std::to_string(targets_.size()) + "]";
  diags errs;
  check_item_id(errs, path, t.id);
  if (t.name) check_text(errs, path + ".name", *t.name);
  if (t.source.phrase.empty()) fail(errs, path + ".source.phrase", "expected the source phrase this target encodes");
  check_source(errs, path + ".source", t.source);
  check_utf8(errs, path + ".notes", t.notes);

  const indicator* ind = nullptr;
  if (auto i = find_indicator(t.indicator)) {
    t.indicator_index = *i;
    ind = &indicators_[*i];
  } else {
    fail(errs, path + ".indicator", "unknown indicator " + quoted(t.indicator));
  }
  if (auto e = entities_.find(t.scope))
    t.scope_index = *e;
  else
    fail(errs, path + ".scope", "unknown entity " + quoted(t.scope));
  const phase* ph = nullptr;
  t.phase_index.reset();
  if (!t.phase.empty()) {
    if (auto p = find_phase(t.phase)) {
      t.phase_index = *p;
      ph = &phases_[*p];
    } else {
      fail(errs, path + ".phase", "unknown phase " + quoted(t.phase));
    }
  }

  goal& g = t.goal;
  const std::string gp = path + ".goal";
  // deadline: absent means "assumed from the horizon end"
  if (g.deadline.is_special()) {
    if (g.deadline_basis != deadline_basis::stated && g.deadline_basis != deadline_basis::assumed)
      fail(errs, gp + ".deadline", "expected a deadline for deadline_basis " + quoted(to_string(g.deadline_basis)));
    g.deadline_basis = deadline_basis::assumed;
    g.deadline = horizon_.end;
  } else if (g.deadline_basis == deadline_basis::assumed && g.deadline != horizon_.end) {
    fail(errs, gp + ".deadline",
         "deadline_basis \"assumed\" means the deadline is the horizon end " + format_date(horizon_.end) + "; got " +
             format_date(g.deadline));
  }
  if (g.deadline < horizon_.start)
    fail(errs, gp + ".deadline",
         "expected a deadline within the plan horizon " + range_text(horizon_.start, horizon_.end) + ", got " +
             format_date(g.deadline));
  if (ph && !ph->contains(g.deadline))
    fail(errs, path + ".phase",
         "the deadline " + format_date(g.deadline) + " is outside phase " + quoted(ph->id) + " (" +
             range_text(ph->start, ph->end) + ")");
  if (g.from) {
    if (g.from->is_special())
      fail(errs, gp + ".from", "expected a date");
    else if (*g.from > g.deadline)
      fail(errs, gp + ".from",
           "expected a date on or before the deadline " + format_date(g.deadline) + ", got " + format_date(*g.from));
  }

  if (!t.standard.empty() && !find_standard(t.standard)) {
    const auto ids = builtin_standard_ids();
    if (std::find(ids.begin(), ids.end(), t.standard) == ids.end()) {
      std::string known;
      for (const auto& s : standards_) known += (known.empty() ? "" : ", ") + s.id;
      for (const auto& s : ids) known += (known.empty() ? "" : ", ") + s;
      fail(errs, path + ".standard",
           "unknown standard " + quoted(t.standard) + "; expected a standard of the plan's standards[] or a built-in one (" +
               known + ")");
    }
  }
  const bool relative = g.relative_to.has_value();
  if (relative) {
    auto& rel = *g.relative_to;
    const auto rp = gp + ".relative_to";
    if (auto e = entities_.find(rel.entity))
      rel.entity_index = *e;
    else
      fail(errs, rp + ".entity", "unknown entity " + quoted(rel.entity));
    if (auto i = find_indicator(rel.indicator.empty() ? t.indicator : rel.indicator)) {
      rel.indicator_index = *i;
      if (!indicators_[*i].is_numeric())
        fail(errs, rp + ".indicator", "expected a numeric indicator to compare with, got " + quoted(indicators_[*i].id));
    } else if (!rel.indicator.empty()) {
      fail(errs, rp + ".indicator", "unknown indicator " + quoted(rel.indicator));
    }
    if (rel.entity == t.scope && (rel.indicator.empty() || rel.indicator == t.indicator))
      fail(errs, rp, "a target cannot be relative to its own series");
    if (g.comparator != comparator::ge && g.comparator != comparator::gt && g.comparator != comparator::le &&
        g.comparator != comparator::lt && g.comparator != comparator::eq)
      fail(errs, gp + ".comparator",
           "a relative goal compares with the reference by >=, >, <=, < or =; got " + quoted(to_string(g.comparator)));
    if (!g.value.is_missing())
      fail(errs, gp + ".value",
           "a relative goal takes its value from the reference " + quoted(rel.entity) + "; expected no value, got " +
               g.value.to_string());
  }
  if (g.cumulative) {
    if (ind && ind->kind != value_kind::count && ind->kind != value_kind::amount)
      fail(errs, gp + ".cumulative",
           "a cumulative goal adds up yearly values: expected a count or amount indicator, got " +
               std::string(to_string(ind->kind)) + " indicator " + quoted(ind->id));
    if (relative) fail(errs, gp + ".cumulative", "a goal cannot be both cumulative and relative");
    if (g.comparator != comparator::ge && g.comparator != comparator::gt && g.comparator != comparator::le &&
        g.comparator != comparator::lt && g.comparator != comparator::eq && g.comparator != comparator::between)
      fail(errs, gp + ".comparator",
           "a cumulative goal compares the running total by >=, >, <=, <, = or between; got " +
               quoted(to_string(g.comparator)));
  }

  if (ind) {
    if (!comparator_valid_for(g.comparator, ind->kind)) {
      std::string expected =
          ind->kind == value_kind::boolean ? "\"pass\""
          : ind->kind == value_kind::shares
              ? "\"=\""
              : "one of >=, >, <=, <, =, between, increase, decrease, non_decreasing, strictly_increasing";
      fail(errs, gp + ".comparator",
           "comparator " + quoted(to_string(g.comparator)) + " is not valid for " + std::string(to_string(ind->kind)) +
               " indicator " + quoted(ind->id) + "; expected " + expected);
    } else if (relative) {
      // checked above: the value comes from the reference
    } else if (!needs_value(g.comparator)) {
      if (!g.value.is_missing())
        fail(errs, gp + ".value",
             "expected no value for comparator " + quoted(to_string(g.comparator)) + ", got " + g.value.to_string());
    } else if (g.comparator == comparator::between) {
      if (!g.value.is_vector() || g.value.vector().size() != 2)
        fail(errs, gp + ".value", "expected [low, high] for comparator \"between\", got " + g.value.to_string());
      else if (g.value.has_non_finite())
        fail(errs, gp + ".value", "expected finite numbers, got " + g.value.to_string());
      else if (g.value.vector()[0] > g.value.vector()[1])
        fail(errs, gp + ".value", "expected low <= high, got " + g.value.to_string());
      else
        for (double x : g.value.vector()) check_value(errs, gp + ".value", *ind, value(x), false);
    } else {
      check_value(errs, gp + ".value", *ind, g.value, false);
    }
    if (g.tolerance) {
      if (!std::isfinite(*g.tolerance) || *g.tolerance < 0)
        fail(errs, gp + ".tolerance", "expected a finite number >= 0");
      else if (g.comparator != comparator::eq)
        fail(errs, gp + ".tolerance", "a tolerance is only valid with comparator \"=\"");
    }
    if ((g.comparator == comparator::increase || g.comparator == comparator::decrease) && !t.baseline)
      fail(errs, path + ".baseline",
           "comparator " + quoted(to_string(g.comparator)) + " compares with the baseline; expected a baseline");

    if (t.baseline) {
      if (t.baseline->date.is_special())
        fail(errs, path + ".baseline.date", "expected a date");
      else if (t.baseline->date >= g.deadline)
        fail(errs, path + ".baseline.date",
             "expected a baseline date before the deadline " + format_date(g.deadline) + ", got " +
                 format_date(t.baseline->date));
      check_value(errs, path + ".baseline.value", *ind, t.baseline->value, true);
    }
    date prev =
        t.baseline && !t.baseline->date.is_special() ? t.baseline->date : date(boost::gregorian::not_a_date_time);
    for (std::size_t k = 0; k < t.milestones.size(); ++k) {
      const auto mp = path + ".milestones[" + std::to_string(k) + "]";
      const auto& m = t.milestones[k];
      if (m.date.is_special()) {
        fail(errs, mp + ".date", "expected a date");
        continue;
      }
      const date lo = t.baseline && !t.baseline->date.is_special() ? t.baseline->date : horizon_.start;
      const bool strictly_after_baseline = t.baseline.has_value();
      if ((strictly_after_baseline ? m.date <= lo : m.date < lo) || m.date > g.deadline)
        fail(errs, mp + ".date",
             "expected a milestone date " +
                 std::string(strictly_after_baseline ? "after the baseline " : "on or after the horizon start ") +
                 format_date(lo) + " and on or before the deadline " + format_date(g.deadline) + ", got " +
                 format_date(m.date));
      else if (!prev.is_special() && m.date <= prev && k > 0)
        fail(errs, mp + ".date",
             "expected milestones in increasing date order, got " + format_date(m.date) + " after " +
                 format_date(prev));
      prev = m.date;
      check_value(errs, mp + ".value", *ind, m.value, true);
    }
  }
  throw_if(errs);
  const auto i = static_cast<index_type>(targets_.size());
  target_index_.emplace(t.id, i);
  item_kind_.emplace(t.id, "a target");
  targets_.push_back(std::move(t));
  return i;
}

plan::index_type plan::add_observation(recorded_observation o, std::string path) {
  if (path.empty()) path = "observations[" + std::to_string(observations_.size()) + "]";
  diags errs;
  check_item_id(errs, path, o.id);
  check_utf8(errs, path + ".notes", o.notes);
  check_source(errs, path + ".source", o.source);
  const indicator* ind = nullptr;
  if (auto i = find_indicator(o.indicator)) {
    o.indicator_index = *i;
    ind = &indicators_[*i];
  } else {
    fail(errs, path + ".indicator", "unknown indicator " + quoted(o.indicator));
  }
  if (auto e = entities_.find(o.entity))
    o.entity_index = *e;
  else
    fail(errs, path + ".entity", "unknown entity " + quoted(o.entity));
  if (o.period.start.is_special() || o.period.end.is_special())
    fail(errs, path + (o.dated ? ".date" : ".period"), "expected a date");
  else if (o.period.end < o.period.start)
    fail(errs, path + ".period.end", "expected an end on or after the start " + format_date(o.period.start));
  if (ind) check_value(errs, path + ".value", *ind, o.value, true);
  if (o.qualifier && *o.qualifier != qualifier::exact && !o.value.is_number())
    fail(errs, path + ".qualifier", "a qualifier is only valid on a number");
  throw_if(errs);
  const auto i = static_cast<index_type>(observations_.size());
  item_kind_.emplace(o.id, "an observation");
  observations_.push_back(std::move(o));
  return i;
}

plan::index_type plan::add_conflict(conflict c, std::string path) {
  if (path.empty()) path = "conflicts[" + std::to_string(conflicts_.size()) + "]";
  diags errs;
  check_item_id(errs, path, c.id);
  check_text(errs, path + ".description", c.description);
  if (c.items.size() < 2) fail(errs, path + ".items", "expected at least two conflicting items");
  for (std::size_t k = 0; k < c.items.size(); ++k) {
    const auto& it = c.items[k];
    auto kind = item_kind_.find(it);
    if (kind == item_kind_.end() || kind->second == "a conflict")
      fail(errs, path + ".items[" + std::to_string(k) + "]", "unknown target, observation or note " + quoted(it));
  }
  throw_if(errs);
  const auto i = static_cast<index_type>(conflicts_.size());
  item_kind_.emplace(c.id, "a conflict");
  conflicts_.push_back(std::move(c));
  return i;
}

plan::index_type plan::add_note(note n, std::string path) {
  if (path.empty()) path = "notes[" + std::to_string(notes_.size()) + "]";
  diags errs;
  check_item_id(errs, path, n.id);
  check_text(errs, path + ".text", n.text);
  check_source(errs, path + ".source", n.source);
  throw_if(errs);
  const auto i = static_cast<index_type>(notes_.size());
  item_kind_.emplace(n.id, "a note");
  notes_.push_back(std::move(n));
  return i;
}

const indicator& plan::indicator_by_id(std::string_view id) const {
  if (auto i = find_indicator(id)) return indicators_[*i];
  throw plan_error("indicators", "unknown indicator " + quoted(id));
}
const target& plan::target_by_id(std::string_view id) const {
  if (auto i = find_target(id)) return targets_[*i];
  throw plan_error("targets", "unknown target " + quoted(id));
}
const phase& plan::phase_by_id(std::string_view id) const {
  if (auto i = find_phase(id)) return phases_[*i];
  throw plan_error("phases", "unknown phase " + quoted(id));
}
const entity& plan::entity_by_id(std::string_view id) const {
  if (auto i = entities_.find(id)) return entities_[*i];
  throw plan_error("entities", "unknown entity " + quoted(id));
}

void plan::check_item_id(std::vector<diagnostic>& errs, const std::string& path, const std::string& id) const {
  check_id(errs, path, id);
  if (auto it = item_kind_.find(id); !id.empty() && it != item_kind_.end())
    fail(errs, path + ".id", "duplicate id " + quoted(id) + " (already used by " + it->second + ")");
}

const phase* plan::phase_at(date d) const noexcept {
  auto i = phase_index_at(d);
  return i ? &phases_[*i] : nullptr;
}

std::optional<plan::index_type> plan::phase_index_at(date d) const noexcept {
  for (std::size_t i = 0; i < phases_.size(); ++i)
    if (phases_[i].contains(d)) return static_cast<index_type>(i);
  return std::nullopt;
}

std::vector<diagnostic> plan::warnings() const {
  std::vector<diagnostic> w;
  auto warn = [&](std::string path, std::string msg) {
    w.push_back({severity::warning, std::move(path), std::move(msg)});
  };
  // which conflict records each item, so a warning can say it is already recorded
  std::unordered_map<std::string, std::string> recorded;
  for (const auto& c : conflicts_)
    for (const auto& it : c.items) recorded.emplace(it, c.id);

  for (std::size_t i = 0; i < targets_.size(); ++i) {
    const auto& t = targets_[i];
    const auto path = "targets[" + std::to_string(i) + "]";
    if (t.goal.deadline_basis == deadline_basis::assumed)
      warn(path + ".goal.deadline", "target " + quoted(t.id) +
                                        ": the source states no deadline; assumed to be the horizon end " +
                                        format_date(t.goal.deadline));
    if (t.goal.deadline > horizon_.end)
      warn(path + ".goal.deadline", "target " + quoted(t.id) + ": deadline " + format_date(t.goal.deadline) +
                                        " is after the plan horizon ends (" + format_date(horizon_.end) + ")");
    // a goal that must hold from a date (保持) is meant to be met already; a cumulative goal's
    // baseline is a level, not the running total
    if (t.baseline && t.goal.comparator != comparator::increase && t.goal.comparator != comparator::decrease &&
        !t.goal.from && !t.goal.cumulative && !t.goal.relative_to) {
      if (auto met = satisfies(t.goal, t.baseline->value); met && *met)
        warn(path + ".goal", "target " + quoted(t.id) + ": the goal (" + std::string(to_string(t.goal.comparator)) +
                                 " " + t.goal.value.to_string() + ") is already met at the baseline (" +
                                 t.baseline->value.to_string() + " on " + format_date(t.baseline->date) + ")");
    }
    for (std::size_t j = i + 1; j < targets_.size(); ++j) {
      const auto& u = targets_[j];
      if (u.indicator_index != t.indicator_index || u.scope_index != t.scope_index) continue;
      if (u.goal.deadline != t.goal.deadline) continue;
      const bool same = u.goal.comparator == t.goal.comparator && u.goal.value == t.goal.value;
      std::string msg = "target " + quoted(t.id) + " and target " + quoted(u.id) + " (targets[" + std::to_string(j) +
                        "]) set " + (same ? "the same goal" : "different goals") + " for indicator " +
                        quoted(t.indicator) + " at " + quoted(t.scope) + " by " + format_date(t.goal.deadline) + ": " +
                        std::string(to_string(t.goal.comparator)) + " " + t.goal.value.to_string() + " vs " +
                        std::string(to_string(u.goal.comparator)) + " " + u.goal.value.to_string();
      auto a = recorded.find(t.id), b = recorded.find(u.id);
      if (a != recorded.end() && b != recorded.end() && a->second == b->second)
        msg += " (recorded as conflict " + quoted(a->second) + ")";
      else
        msg += " (not recorded as a conflict)";
      warn(path, msg);
    }
  }
  return w;
}

} // namespace planeval
