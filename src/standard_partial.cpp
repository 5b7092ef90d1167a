// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// An official standard evaluated in parts (standard_partial.hpp): the rows evaluate_standard could
// read, kept per part, merged, and handed to evaluate_standard once.

#include <planeval/derived.hpp>
#include <planeval/detail/archive.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/expression.hpp>
#include <planeval/standard_partial.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "json_reader.hpp"

namespace planeval {

namespace {

using json_reading::quoted;
using eidx = entity_tree::index_type;

constexpr std::string_view partial_magic = "pvs";
constexpr std::uint32_t partial_format_version = 1;

/// How a plan indicator's rows are kept.
enum class keep_mode : std::uint8_t {
  none,      ///< never read
  latest,    ///< a standard indicator: the latest row per (indicator, entity)
  first_last ///< read by derive(): the first and the last row per (indicator, entity, start, end)
};

/// What the standard, plan and options select: the rows evaluate_standard could read.
struct selection {
  eidx scope = 0;
  day_number lo = 0, hi = 0;
  std::vector<keep_mode> mode;         ///< per plan indicator
  std::vector<std::uint8_t> standard;  ///< per plan indicator: a standard indicator maps to it
  std::vector<std::uint8_t> readable;  ///< per entity
  std::uint64_t digest = 0;            ///< of the above and the entities' structure
};

/// The options as evaluate_standard checks them (the same messages, for standard_states), and
/// the rows they select.
selection select(const standard& s, const plan& p, const standard_options& opt, bool derived, const char* who) {
  const std::string op = std::string(who) + ": ";
  const entity_tree& tree = p.entities();
  selection sel;
  if (!opt.period)
    throw error(op + "standard_options.period is required (a calendar year, a school year, or calendar_year_of / "
                     "school_year_of a date)");
  if (opt.period->end < opt.period->start) throw error(op + "the period ends before it starts");
  sel.lo = to_day_number(opt.period->start);
  sel.hi = to_day_number(opt.period->end);
  if (opt.scope.empty()) {
    bool found = false;
    for (eidx i = 0; i < tree.size() && !found; ++i)
      if (tree[i].kind == entity_kind::district || tree[i].kind == entity_kind::county) {
        sel.scope = i;
        found = true;
      }
    if (!found)
      throw error(op + "the plan has no entity of kind district or county; name the county in standard_options.scope");
  } else {
    const auto f = tree.find(opt.scope);
    if (!f) throw error(op + "unknown scope entity " + quoted(opt.scope));
    sel.scope = *f;
  }
  for (const auto& g : opt.groups)
    if (std::none_of(s.groups.begin(), s.groups.end(), [&](const auto& x) { return x.id == g; })) {
      std::string known;
      for (const auto& x : s.groups) known += (known.empty() ? "" : ", ") + x.id;
      throw error(op + "unknown group " + quoted(g) + " of standard " + s.id +
                  (known.empty() ? " (it has no groups)" : "; its groups are: " + known));
    }
  for (const auto& [id, why] : opt.excluded)
    if (!tree.find(id)) throw error(op + "standard_options.excluded names unknown entity " + quoted(id));
  for (const auto& [k, v] : opt.indicators)
    if (!s.find_indicator(k))
      throw error(op + "standard_options.indicators names " + quoted(k) + ", which is not an indicator of standard " +
                  s.id);

  const auto& inds = p.indicators();
  sel.mode.assign(inds.size(), keep_mode::none);
  sel.standard.assign(inds.size(), 0);
  std::vector<std::int32_t> std_of_plan(inds.size(), -1);
  for (std::size_t i = 0; i < s.indicators.size(); ++i) {
    const auto& id = s.indicators[i].id;
    const auto it = opt.indicators.find(id);
    const std::string& pid = it == opt.indicators.end() ? id : it->second;
    const auto pi = p.find_indicator(pid);
    if (!pi && it != opt.indicators.end())
      throw error(op + "standard_options.indicators maps " + quoted(id) + " to " + quoted(pid) +
                  ", which is not an indicator of the plan");
    if (!pi) continue;
    if (std_of_plan[*pi] >= 0)
      throw error(op + "standard indicators " + quoted(s.indicators[static_cast<std::size_t>(std_of_plan[*pi])].id) +
                  " and " + quoted(id) + " both map to plan indicator " + quoted(pid));
    std_of_plan[*pi] = static_cast<std::int32_t>(i);
    sel.mode[*pi] = keep_mode::latest;
    sel.standard[*pi] = 1;
  }

  // evaluate_standard derives when the rows are not derived and the plan derives one of the
  // indicators named by the standard's ids: derive() then reads the derived indicators of that
  // closure and every indicator their formulas reference
  if (!derived) {
    std::vector<std::uint8_t> need(inds.size(), 0);
    for (const auto& si : s.indicators)
      if (const auto i = p.find_indicator(si.id); i && inds[*i].is_derived()) need[*i] = 1;
    for (std::size_t i = inds.size(); i-- > 0;) { // references point to earlier indicators
      if (!need[i]) continue;
      sel.mode[i] = keep_mode::first_last;
      const auto& f = *inds[i].formula;
      for (const std::string* text : {&f.expression, &f.numerator, &f.denominator}) {
        if (text->empty()) continue;
        const expression e = expression::parse(*text);
        for (const auto& id : e.references()) {
          const auto r = p.find_indicator(id);
          if (!r) continue; // plan::add_indicator checked it
          sel.mode[*r] = keep_mode::first_last;
          if (inds[*r].is_derived()) need[*r] = 1;
        }
      }
    }
  }

  // the entities evaluate_standard reads rows of: the scope (county criteria), entities of kind
  // stage under it (a stage's county value, a combined school's parts), and units of the
  // standard's kinds that are of its stages or have no stage (a combined school, a unit without one)
  auto stage_of = [&](eidx e) -> std::optional<stage> {
    for (eidx j = e; j != entity_tree::npos; j = tree.parent(j))
      if (tree[j].stage) return tree[j].stage;
    return std::nullopt;
  };
  const auto& kinds = s.units.entity_kinds;
  sel.readable.assign(tree.size(), 0);
  std::string structure;
  detail::binary_oarchive sa(structure);
  for (eidx e = 0; e < tree.size(); ++e) {
    const entity& x = tree[e];
    sa(static_cast<std::uint32_t>(tree.parent(e)), static_cast<std::uint32_t>(x.kind), x.stage.has_value(),
       static_cast<std::uint32_t>(x.stage.value_or(stage::kindergarten)));
    if (!tree.is_ancestor_or_self(sel.scope, e)) continue;
    bool read = e == sel.scope || x.kind == entity_kind::stage;
    if (!read && std::find(kinds.begin(), kinds.end(), x.kind) != kinds.end()) {
      const auto st = stage_of(e);
      read = !st || std::find(s.stages.begin(), s.stages.end(), *st) != s.stages.end();
    }
    sel.readable[e] = read;
  }
  std::string all;
  detail::binary_oarchive ar(all);
  std::vector<std::uint8_t> modes(sel.mode.size());
  for (std::size_t i = 0; i < modes.size(); ++i) modes[i] = static_cast<std::uint8_t>(sel.mode[i]);
  ar(static_cast<std::uint32_t>(sel.scope), sel.lo, sel.hi, modes, sel.readable, detail::fnv1a64(structure));
  sel.digest = detail::fnv1a64(all);
  return sel;
}

void put_text(detail::binary_oarchive& ar, const text& t) { ar(t.zh, t.en); }

void put_stage_values(detail::binary_oarchive& ar, const stage_values& v) {
  ar(static_cast<std::uint64_t>(v.size()));
  for (const auto& [st, x] : v) ar(st, x);
}

/// A digest of everything of a standard that its evaluation reads (ids, rules, numbers, names).
std::uint64_t standard_digest(const standard& s) {
  std::string b;
  detail::binary_oarchive ar(b);
  ar(s.id, s.stages, s.units.level, s.units.entity_kinds);
  put_text(ar, s.title);
  for (const auto& g : s.groups) ar(g.id);
  ar(static_cast<std::uint64_t>(s.indicators.size()));
  for (const auto& i : s.indicators) {
    ar(i.id, i.unit, i.kind, i.direction, i.level, i.decimals, i.comparator, i.split_combined, i.group);
    put_text(ar, i.name);
    put_stage_values(ar, i.thresholds);
  }
  const auto& u = s.unit_rule;
  ar(u.kind, u.k, u.floor, u.required_share, u.group);
  ar(static_cast<std::uint64_t>(s.across_units.size()));
  for (const auto& a : s.across_units) {
    ar(a.id, a.kind, a.weighting, a.comparator, a.indicators, a.group);
    put_stage_values(ar, a.limits);
  }
  ar(static_cast<std::uint64_t>(s.district_criteria.size()));
  for (const auto& c : s.district_criteria) ar(c.id, c.indicator, c.comparator, c.value, c.group);
  ar(static_cast<std::uint64_t>(s.exclusions.size()));
  for (const auto& x : s.exclusions) {
    ar(x.id, x.kind, x.entity_kinds, x.students, x.patterns);
    put_text(ar, x.description);
  }
  ar(static_cast<std::uint64_t>(s.combined_schools.size()));
  for (const auto& c : s.combined_schools) ar(c.stages, c.weights);
  ar(s.verdict.rule);
  return detail::fnv1a64(b);
}

std::vector<std::string> flatten(const std::map<std::string, std::string>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) {
    out.push_back(k);
    out.push_back(v);
  }
  return out;
}

std::string options_bytes(const standard_options& o) {
  std::string b;
  detail::binary_oarchive ar(b);
  ar(o.scope, to_day_number(o.period->start), to_day_number(o.period->end), static_cast<std::uint32_t>(o.period->kind),
     flatten(o.indicators), o.groups, flatten(o.excluded));
  return b;
}

standard_options options_from_bytes(std::string_view bytes) {
  detail::binary_iarchive ar(bytes);
  standard_options o;
  day_number start = 0, end = 0;
  std::uint32_t kind = 0;
  std::vector<std::string> indicators, excluded;
  ar(o.scope, start, end, kind, indicators, o.groups, excluded);
  if (!ar.at_end() || kind > static_cast<std::uint32_t>(period_kind::custom) || indicators.size() % 2 ||
      excluded.size() % 2 || start < to_day_number(date(1400, 1, 1)) || end > to_day_number(date(9999, 12, 31)) ||
      end < start)
    throw error("corrupt options");
  o.period = period{from_day_number(start), from_day_number(end), static_cast<period_kind>(kind)};
  for (std::size_t i = 0; i < indicators.size(); i += 2) o.indicators.emplace(indicators[i], indicators[i + 1]);
  for (std::size_t i = 0; i < excluded.size(); i += 2) o.excluded.emplace(excluded[i], excluded[i + 1]);
  if (o.indicators.size() * 2 != indicators.size() || o.excluded.size() * 2 != excluded.size())
    throw error("corrupt options (a key twice)");
  return o;
}

} // namespace

// ---------------------------------------------------------------------------------------------

struct standard_partial::impl {
  plan_key key;
  std::uint64_t selection = 0; ///< selection::digest
  std::string standard_id;
  std::uint64_t standard_digest = 0;
  std::string opt_bytes;
  standard_options opt;
  bool derived = false;       ///< the rows were derived (observation_view::derived)
  std::int8_t weighted = -1;  ///< the rows have a weight column: 1, not: 0, no row kept yet: -1
  std::vector<std::uint8_t> first_last; ///< per plan indicator: kept first and last per key
  // the rows kept, in order
  std::vector<std::uint32_t> indicator, entity;
  std::vector<day_number> start, end;
  std::vector<double> value, weight;
  std::vector<std::uint8_t> flags;

  std::size_t size() const noexcept { return indicator.size(); }

  /// Keep only the rows evaluate_standard (or derive()) could read among those of this table:
  /// the latest per (indicator, entity), ties to the later row; for first_last indicators the first
  /// and the last per (indicator, entity, start, end). Returns the positions kept (ascending). No
  /// allocation per row but the index.
  std::vector<std::uint32_t> reduce() {
    const std::size_t n = size();
    std::vector<std::uint32_t> order(n);
    std::iota(order.begin(), order.end(), 0u);
    auto fl = [&](std::uint32_t r) { return first_last[indicator[r]] != 0; };
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (indicator[a] != indicator[b]) return indicator[a] < indicator[b];
      if (entity[a] != entity[b]) return entity[a] < entity[b];
      if (fl(a) && start[a] != start[b]) return start[a] < start[b];
      if (end[a] != end[b]) return end[a] < end[b];
      return a < b;
    });
    std::vector<std::uint8_t> keep(n, 0);
    for (std::size_t i = 0; i < n;) {
      const auto r = order[i];
      std::size_t j = i + 1;
      if (fl(r)) {
        while (j < n && indicator[order[j]] == indicator[r] && entity[order[j]] == entity[r] &&
               start[order[j]] == start[r] && end[order[j]] == end[r])
          ++j;
        keep[order[i]] = keep[order[j - 1]] = 1;
      } else {
        while (j < n && indicator[order[j]] == indicator[r] && entity[order[j]] == entity[r]) ++j;
        keep[order[j - 1]] = 1; // the latest end, then the later row
      }
      i = j;
    }
    std::vector<std::uint32_t> kept;
    const bool has_weight = !weight.empty();
    std::size_t w = 0;
    for (std::size_t r = 0; r < n; ++r) {
      if (!keep[r]) continue;
      kept.push_back(static_cast<std::uint32_t>(r));
      indicator[w] = indicator[r];
      entity[w] = entity[r];
      start[w] = start[r];
      end[w] = end[r];
      value[w] = value[r];
      if (has_weight) weight[w] = weight[r];
      flags[w] = flags[r];
      ++w;
    }
    indicator.resize(w);
    entity.resize(w);
    start.resize(w);
    end.resize(w);
    value.resize(w);
    if (has_weight) weight.resize(w);
    flags.resize(w);
    return kept;
  }

  /// The plan, standard and options that make two partials mergeable, for messages.
  void check_same(const impl& o) const {
    if (!(key == o.key))
      throw error("standard_partial: cannot merge partials of different plans (\"" + key.id + "\" and \"" + o.key.id +
                  "\", or other indicators or entities)");
    if (standard_id != o.standard_id || standard_digest != o.standard_digest)
      throw error("standard_partial: cannot merge partials of different standards (" + standard_id +
                  (standard_id == o.standard_id ? " and another version of it" : " and " + o.standard_id) + ")");
    if (opt_bytes != o.opt_bytes)
      throw error("standard_partial: cannot merge partials computed with different options (scope, period, "
                  "indicators, groups or exclusions)");
    if (selection != o.selection || first_last != o.first_last)
      throw error("standard_partial: cannot merge partials of plans whose entities differ in structure");
    if (derived != o.derived)
      throw error("standard_partial: cannot merge partials of derived and of not derived rows");
    if (weighted >= 0 && o.weighted >= 0 && weighted != o.weighted)
      throw error("standard_partial: cannot merge partials of rows with a weight column and rows without one "
                  "(give every part the weight column)");
  }
};

standard_partial::standard_partial() = default;
standard_partial::standard_partial(const standard_partial& o)
    : impl_(o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr) {}
standard_partial::standard_partial(standard_partial&&) noexcept = default;
standard_partial& standard_partial::operator=(const standard_partial& o) {
  if (this != &o) impl_ = o.impl_ ? std::make_unique<impl>(*o.impl_) : nullptr;
  return *this;
}
standard_partial& standard_partial::operator=(standard_partial&&) noexcept = default;
standard_partial::~standard_partial() = default;

bool standard_partial::empty() const noexcept { return !impl_; }
std::size_t standard_partial::rows() const noexcept { return impl_ ? impl_->size() : 0; }
const std::string& standard_partial::standard_id() const noexcept {
  static const std::string none;
  return impl_ ? impl_->standard_id : none;
}

standard_partial standard_states(const standard& s, const plan& p, const observation_view& obs,
                                 const standard_options& options) {
  constexpr const char* who = "standard_states";
  if (auto errs = check_standard(s); !errs.empty()) throw standard_error(std::move(errs));
  require_plan(p, obs, who);
  const selection sel = select(s, p, options, obs.derived, who);

  const std::size_t n = obs.size();
  auto check_size = [&](std::string_view column, std::size_t got, bool optional) {
    if (got != n && !(optional && got == 0))
      throw data_error(std::string(who) + ": column " + std::string(column) + " has " + std::to_string(got) +
                       " rows, expected " + std::to_string(n));
  };
  check_size("entity", obs.entity.size(), false);
  check_size("start", obs.start.size(), false);
  check_size("end", obs.end.size(), false);
  check_size("value", obs.value.size(), false);
  check_size("weight", obs.weight.size(), true);
  check_size("flags", obs.flags.size(), true);

  standard_partial out;
  out.impl_ = std::make_unique<standard_partial::impl>();
  auto& m = *out.impl_;
  m.key = p.key();
  m.selection = sel.digest;
  m.standard_id = s.id;
  m.standard_digest = standard_digest(s);
  m.opt = options;
  m.opt_bytes = options_bytes(options);
  m.derived = obs.derived;
  m.first_last.resize(sel.mode.size());
  for (std::size_t i = 0; i < sel.mode.size(); ++i) m.first_last[i] = sel.mode[i] == keep_mode::first_last;

  // every row's indices are checked (as evaluate_standard does); the rows it could read are copied
  const auto n_ind = p.indicators().size();
  const auto n_ent = p.entities().size();
  const bool has_weight = obs.has_weight();
  std::size_t kept = 0;
  for (std::size_t r = 0; r < n; ++r) {
    const auto ind = obs.indicator[r];
    const auto ent = obs.entity[r];
    if (ind >= n_ind)
      throw data_error("row " + std::to_string(r) + ", column indicator: expected an indicator index below " +
                       std::to_string(n_ind) + ", got " + std::to_string(ind));
    if (ent >= n_ent)
      throw data_error("row " + std::to_string(r) + ", column entity: expected an entity index below " +
                       std::to_string(n_ent) + ", got " + std::to_string(ent));
    kept += sel.mode[ind] != keep_mode::none && sel.readable[ent] && obs.end[r] >= sel.lo && obs.end[r] <= sel.hi;
  }
  std::vector<std::uint32_t> source; // the row of obs each kept row is
  source.reserve(kept);
  m.indicator.reserve(kept);
  m.entity.reserve(kept);
  m.start.reserve(kept);
  m.end.reserve(kept);
  m.value.reserve(kept);
  m.flags.reserve(kept);
  if (has_weight) m.weight.reserve(kept);
  for (std::size_t r = 0; r < n; ++r) {
    const auto ind = obs.indicator[r];
    const auto ent = obs.entity[r];
    if (sel.mode[ind] == keep_mode::none || !sel.readable[ent] || obs.end[r] < sel.lo || obs.end[r] > sel.hi) continue;
    source.push_back(static_cast<std::uint32_t>(r));
    m.indicator.push_back(ind);
    m.entity.push_back(ent);
    m.start.push_back(obs.start[r]);
    m.end.push_back(obs.end[r]);
    m.value.push_back(obs.value[r]);
    m.flags.push_back(obs.flags.empty() ? std::uint8_t{0} : obs.flags[r]);
    if (has_weight) m.weight.push_back(obs.weight[r]);
  }
  // the latest of the part; a bad one raises, named by its row in obs
  const auto survivors = m.reduce();
  for (std::size_t i = 0; i < m.size(); ++i) {
    if (!sel.standard[m.indicator[i]]) continue; // derive() inputs only: derive() reads them as they are
    const auto r = source[survivors[i]];
    const bool not_reported = m.flags[i] & flags::missing;
    if (!not_reported && !std::isfinite(m.value[i]))
      throw data_error("row " + std::to_string(r) + ", column value: expected a finite number, got " +
                       detail::format_number(m.value[i]) + " (mark a value not reported as missing)");
    if (has_weight && !(std::isfinite(m.weight[i]) && m.weight[i] >= 0))
      throw data_error("row " + std::to_string(r) + ", column weight: expected a finite weight >= 0, got " +
                       detail::format_number(m.weight[i]));
  }
  if (m.size() > 0) m.weighted = has_weight ? 1 : 0;
  return out;
}

standard_partial& standard_partial::operator+=(const standard_partial& o) {
  if (!o.impl_) return *this;
  if (!impl_) {
    impl_ = std::make_unique<impl>(*o.impl_);
    return *this;
  }
  auto& a = *impl_;
  const auto& b = *o.impl_;
  a.check_same(b);
  if (b.size() == 0) return *this;
  if (a.size() == 0 && a.weighted < 0) a.weighted = b.weighted;
  a.indicator.insert(a.indicator.end(), b.indicator.begin(), b.indicator.end());
  a.entity.insert(a.entity.end(), b.entity.begin(), b.entity.end());
  a.start.insert(a.start.end(), b.start.begin(), b.start.end());
  a.end.insert(a.end.end(), b.end.begin(), b.end.end());
  a.value.insert(a.value.end(), b.value.begin(), b.value.end());
  a.weight.insert(a.weight.end(), b.weight.begin(), b.weight.end());
  a.flags.insert(a.flags.end(), b.flags.begin(), b.flags.end());
  (void)a.reduce();
  return *this;
}

namespace {
void check_plan(const standard_partial::impl& m, const plan& p, const char* who) {
  if (!(p.key() == m.key))
    throw error(std::string(who) + ": the partial is of plan \"" + m.key.id +
                "\" (or other indicators or entities), not \"" + p.id() + "\"");
}
} // namespace

standard_result standard_partial::finalise(const standard& s, const plan& p) const {
  constexpr const char* who = "standard_partial::finalise";
  if (!impl_) throw error(std::string(who) + ": the partial is empty (no part was merged into it)");
  const auto& m = *impl_;
  check_plan(m, p, who);
  if (s.id != m.standard_id)
    throw error(std::string(who) + ": the partial is of standard " + m.standard_id + ", not " + s.id);
  if (standard_digest(s) != m.standard_digest)
    throw error(std::string(who) + ": the partial is of another version of standard " + s.id +
                " (its indicators, rules or numbers differ)");
  if (select(s, p, m.opt, m.derived, who).digest != m.selection)
    throw error(std::string(who) + ": the plan's entities differ in structure (parents, kinds or stages) from "
                                   "those the partial was computed with");
  observation_view v;
  v.indicator = m.indicator;
  v.entity = m.entity;
  v.start = m.start;
  v.end = m.end;
  v.value = m.value;
  if (m.weighted == 1) v.weight = m.weight;
  v.flags = m.flags;
  v.derived = m.derived;
  return evaluate_standard(s, p, v, m.opt);
}

std::string standard_partial::to_bytes() const {
  std::string out(partial_magic);
  detail::binary_oarchive ar(out);
  ar(partial_format_version, empty());
  if (impl_) {
    const auto& m = *impl_;
    ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.selection,
       m.standard_id, m.standard_digest, m.opt_bytes, m.derived, m.weighted, m.first_last, m.indicator, m.entity,
       m.start, m.end, m.value, m.weight, m.flags);
  }
  ar(detail::fnv1a64(out));
  return out;
}

standard_partial standard_partial::from_bytes(std::string_view bytes) {
  try {
    constexpr std::size_t smallest = partial_magic.size() + sizeof(std::uint32_t) + 1 + sizeof(std::uint64_t);
    if (bytes.size() < smallest) throw error("truncated input (" + std::to_string(bytes.size()) + " bytes)");
    if (bytes.substr(0, partial_magic.size()) != partial_magic)
      throw error("not a planeval standard partial (no \"pvs\" magic)");
    const std::string_view body = bytes.substr(0, bytes.size() - sizeof(std::uint64_t));
    detail::binary_iarchive ar(body.substr(partial_magic.size()));
    std::uint32_t format = 0;
    ar(format);
    if (format != partial_format_version)
      throw error("unsupported format version " + std::to_string(format) + " (this build reads " +
                  std::to_string(partial_format_version) + ")");
    std::uint64_t stored = 0;
    detail::binary_iarchive{bytes.substr(body.size())}(stored);
    if (stored != detail::fnv1a64(body)) throw error("corrupt input (checksum mismatch)");
    bool is_empty = false;
    ar(is_empty);
    standard_partial out;
    if (!is_empty) {
      out.impl_ = std::make_unique<impl>();
      auto& m = *out.impl_;
      ar(m.key.id, m.key.indicators, m.key.entities, m.key.indicator_hash, m.key.entity_hash, m.selection,
         m.standard_id, m.standard_digest, m.opt_bytes, m.derived, m.weighted, m.first_last, m.indicator, m.entity,
         m.start, m.end, m.value, m.weight, m.flags);
      m.opt = options_from_bytes(m.opt_bytes);
      const std::size_t n = m.indicator.size();
      if (m.entity.size() != n || m.start.size() != n || m.end.size() != n || m.value.size() != n ||
          m.flags.size() != n || m.weight.size() != (m.weighted == 1 ? n : 0))
        throw error("corrupt rows (columns of different lengths)");
      if (m.weighted < -1 || m.weighted > 1 || (m.weighted == -1 && n > 0))
        throw error("corrupt rows (weight column)");
      if (m.first_last.size() != m.key.indicators) throw error("corrupt indicator modes");
      for (std::size_t i = 0; i < n; ++i)
        if (m.indicator[i] >= m.key.indicators || m.entity[i] >= m.key.entities)
          throw error("corrupt rows (row " + std::to_string(i) + " names an indicator or entity outside the plan)");
    }
    if (!ar.at_end()) throw error(std::to_string(ar.remaining()) + " unexpected trailing bytes");
    return out;
  } catch (const error& e) {
    throw error(std::string("standard_partial::from_bytes: ") + e.what());
  }
}

standard_partial standard_partial::from_bytes(const plan& p, std::string_view bytes) {
  standard_partial out = from_bytes(bytes);
  if (out.impl_) check_plan(*out.impl_, p, "standard_partial::from_bytes");
  return out;
}

} // namespace planeval
