// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#include <planeval/derived.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/evaluate.hpp>
#include <planeval/evaluate_partial.hpp>
#include <planeval/expression.hpp>
#include <planeval/rollup.hpp>
#include <planeval/rollup_partial.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

namespace planeval {

bool favourable(assess_method m, std::string_view c) {
  switch (m) {
  case assess_method::linear: return c == "achieved" || c == "ahead" || c == "on_track";
  case assess_method::statcan: return c == "target_achieved" || c == "substantial_progress";
  case assess_method::eurostat: return c == "significant_progress";
  case assess_method::escap_csi: return c == "target_achieved" || c == "on_track";
  case assess_method::escap_api: return c == "maintain";
  case assess_method::sdsn:
  case assess_method::unsd: return c == "on_track";
  }
  return false;
}

namespace {
// the same words as the charts use (planeval/_plots.py reads them through the bindings)
constexpr std::pair<std::string_view, std::string_view> english_units[] = {{"人", "persons"},
                                                                           {"人次", "person-times"},
                                                                           {"所", "schools"},
                                                                           {"个", "items"},
                                                                           {"项", "items"},
                                                                           {"种", "kinds"},
                                                                           {"门", "courses"},
                                                                           {"起", "cases"},
                                                                           {"家", "institutions"},
                                                                           {"间", "rooms"},
                                                                           {"班", "classes"},
                                                                           {"小时", "hours"},
                                                                           {"年", "years"},
                                                                           {"课时", "class hours"},
                                                                           {"元", "yuan"},
                                                                           {"万元", "10k yuan"},
                                                                           {"亿元", "100m yuan"},
                                                                           {"元/生", "yuan per student"},
                                                                           {"㎡", "m²"},
                                                                           {"㎡/生", "m² per student"},
                                                                           {"人/百名学生", "per 100 students"},
                                                                           {"间/百名学生", "rooms per 100 students"}};
} // namespace

std::span<const std::pair<std::string_view, std::string_view>> english_unit_names() { return english_units; }

std::string_view unit_en(std::string_view unit) {
  for (const auto& [zh, en] : english_units)
    if (zh == unit) return en;
  return unit;
}

std::string_view unit_en(const indicator& ind) {
  return ind.unit_en.empty() ? unit_en(std::string_view(ind.unit)) : std::string_view(ind.unit_en);
}

double fractional_year(date d) {
  const int y = d.year();
  const double days = boost::gregorian::gregorian_calendar::is_leap_year(static_cast<unsigned short>(y)) ? 366 : 365;
  return (y - 1) + static_cast<double>(d.day_of_year()) / days;
}

namespace {

using key3 = std::tuple<std::uint32_t, std::uint32_t, int>; // indicator, entity, year

struct data_value {
  double value = 0;
  std::uint64_t units = 0, missing_units = 0;
  rollup_rule rule = rollup_rule::sum;
};

int decimals_of(const indicator& ind) { return ind.decimals.value_or(ind.kind == value_kind::count ? 0 : 1); }

/// Decimals a number written in the plan needs (0.85 -> 2, 99.5 -> 1, 200 -> 0), at most 4.
int decimals_needed(double x) {
  for (int d = 0; d < 4; ++d)
    if (std::abs(x * std::pow(10.0, d) - std::round(x * std::pow(10.0, d))) < 1e-6) return d;
  return 4;
}

/// The smallest decimals >= d (at most 6) at which a and b print differently (a != b).
int distinguishing_decimals(int d, double a, double b) {
  if (a == b || !std::isfinite(a) || !std::isfinite(b)) return d;
  // floating-point noise (an expected 40.0000000001 from a fractional year) is no difference: it
  // must not print as "40.000000"
  if (std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)})) return d;
  int e = d;
  while (e < 6 && detail::format_fixed(a, e) == detail::format_fixed(b, e)) ++e;
  return detail::format_fixed(a, e) == detail::format_fixed(b, e) ? d : e;
}

/// The plan's indicators with their display decimals filled in: the stated ones, else the kind's
/// default (counts 0, others 1) raised to what the plan's own values of the indicator need.
std::vector<indicator> with_display_decimals(const plan& p) {
  std::vector<indicator> out = p.indicators();
  std::vector<int> need(out.size(), 0);
  auto see = [&](std::uint32_t i, const value& v) {
    if (v.is_number()) need[i] = std::max(need[i], decimals_needed(v.number()));
    if (v.is_vector())
      for (double x : v.vector()) need[i] = std::max(need[i], decimals_needed(x));
  };
  for (const auto& t : p.targets()) {
    see(t.indicator_index, t.goal.value);
    if (t.baseline) see(t.indicator_index, t.baseline->value);
    for (const auto& m : t.milestones) see(t.indicator_index, m.value);
  }
  for (const auto& o : p.observations()) see(o.indicator_index, o.value);
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!out[i].decimals) out[i].decimals = std::max(decimals_of(out[i]), need[i]);
  return out;
}

/// "44.0%", "66 人"
/// "44.0%", "66人" (Chinese), "66 people" (English: lang "en")
std::string with_unit(double x, const indicator& ind, int extra_decimals = 0, std::string_view lang = "zh") {
  const std::string v = detail::format_fixed(x, decimals_of(ind) + extra_decimals);
  if (ind.unit.empty() || ind.unit == "ratio" || ind.unit == "boolean") return v;
  if (ind.unit == "%") return v + "%";
  const std::string_view unit = lang == "en" ? unit_en(ind) : std::string_view(ind.unit);
  // Chinese units follow the number directly (82人), others after a space (3.5 m2)
  const bool ascii = std::all_of(unit.begin(), unit.end(), [](char c) { return (c & 0x80) == 0; });
  return ascii ? v + " " + std::string(unit) : v + std::string(unit);
}
std::string with_unit_en(double x, const indicator& ind) { return with_unit(x, ind, 0, "en"); }

std::string comparator_symbol(comparator c) {
  switch (c) {
  case comparator::ge: return "≥";
  case comparator::gt: return ">";
  case comparator::le: return "≤";
  case comparator::lt: return "<";
  case comparator::eq: return "=";
  default: return std::string(to_string(c));
  }
}

/// "≥ 50.0%" / "1–2 项" / "通过"
text goal_text(const goal& g, const indicator& ind) {
  if (g.comparator == comparator::pass) return {"通过/建成", "passed"};
  if (g.comparator == comparator::non_decreasing) return {"只增不减", "never below the year before"};
  if (g.comparator == comparator::strictly_increasing) return {"逐年增长", "rising every year"};
  if (g.comparator == comparator::increase) return {"高于基期", "above the baseline"};
  if (g.comparator == comparator::decrease) return {"低于基期", "below the baseline"};
  if (g.comparator == comparator::between && g.value.is_vector() && g.value.vector().size() == 2) {
    const std::string lo = detail::format_fixed(g.value.vector()[0], decimals_of(ind)) + "–";
    return {lo + with_unit(g.value.vector()[1], ind), lo + with_unit_en(g.value.vector()[1], ind)};
  }
  if (g.value.is_vector()) {
    std::string s;
    for (double x : g.value.vector()) s += (s.empty() ? "" : ":") + detail::format_number(x);
    return {s, s};
  }
  if (g.value.is_number()) {
    const std::string c = comparator_symbol(g.comparator) + " ";
    return {c + with_unit(g.value.number(), ind), c + with_unit_en(g.value.number(), ind)};
  }
  return {"?", "?"};
}

std::string year_of(date d) { return std::to_string(d.year()); }

/// The name of a target for sentences: its own name, else its indicator's.
std::string target_name(const target& t, const indicator& ind, bool en) {
  if (t.name) return std::string(t.name->in(en ? "en" : "zh"));
  return std::string(ind.name.in(en ? "en" : "zh"));
}

/// Which entity kinds hold the scopes, and which indicators each needs.
struct scope_plan {
  std::map<entity_kind, std::set<std::uint32_t>> indicators_by_kind;
};

/// The observation rows up to as_of (a copy only when some rows are later). Without a weight
/// column the roll-up weighs rows as their indicators' definitions say (weights_by_definition).
struct filtered_rows {
  observation_table table;
  observation_view view;
  std::size_t after = 0;
};

filtered_rows rows_up_to(const observation_view& obs, date as_of) {
  filtered_rows f;
  const day_number last = to_day_number(as_of);
  for (std::size_t i = 0; i < obs.size(); ++i) f.after += obs.end[i] > last ? 1 : 0;
  if (f.after == 0) {
    f.view = obs;
    return f;
  }
  f.table.reserve(obs.size() - f.after);
  for (std::size_t i = 0; i < obs.size(); ++i) {
    if (obs.end[i] > last) continue;
    f.table.push_back(obs.indicator[i], obs.entity[i], obs.start[i], obs.end[i], obs.value[i],
                      obs.flags.empty() ? std::uint8_t{0} : obs.flags[i]);
    if (obs.has_weight()) f.table.weight.push_back(obs.weight[i]);
  }
  f.table.yearly_unique = obs.yearly_unique;
  f.table.plan = obs.plan;
  f.view = f.table.view();
  return f;
}

/// The roll-ups evaluate() runs: one per entity kind of the targets' scopes (and of relative goals'
/// reference entities), calendar years, the kind's target indicators that can be rolled up.
std::vector<rollup_options> rollup_requests(const plan& p, unsigned threads) {
  const auto& tree = p.entities();
  std::map<entity_kind, std::set<std::uint32_t>> by_kind;
  for (const auto& t : p.targets()) {
    by_kind[tree[t.scope_index].kind].insert(t.indicator_index);
    if (const auto& rel = t.goal.relative_to) by_kind[tree[rel->entity_index].kind].insert(rel->indicator_index);
  }
  std::vector<rollup_options> opts;
  for (const auto& [kind, inds] : by_kind) {
    rollup_options o;
    o.kind = kind;
    o.period = period_kind::calendar_year;
    for (auto i : inds)
      if (p.indicators()[i].is_numeric() || p.indicators()[i].kind == value_kind::boolean) o.indicators.push_back(i);
    o.threads = threads;
    if (!o.indicators.empty()) opts.push_back(std::move(o));
  }
  return opts;
}

/// Sums of a derived target's rows in one year under its scope (the trace's derivation line).
struct derivation_sums {
  double num = 0, den = 0;
  std::uint64_t units = 0, missing = 0;
};

/// The sums of target t's derived rows (rows of `d` from d.input_rows on) in `year` under its scope.
derivation_sums derivation_of(const plan& p, const derived_observations& d, const target& t,
                              const indicator_formula& f, int year) {
  const auto& tab = d.table;
  const std::size_t base = d.input_rows;
  const auto& tree = p.entities();
  derivation_sums s;
  for (std::size_t r = base; r < tab.size(); ++r) {
    if (tab.indicator[r] != t.indicator_index || from_day_number(tab.end[r]).year() != year ||
        !tree.is_ancestor_or_self(t.scope_index, tab.entity[r]))
      continue;
    if (tab.flags[r] & flags::missing) {
      ++s.missing;
      continue;
    }
    ++s.units;
    if (f.is_ratio()) {
      s.num += d.numerator[r - base];
      s.den += d.denominator[r - base];
    }
  }
  return s;
}

/// The last year a standard-judged target may be judged in: its deadline's when due, else as_of's.
int standard_last_year(const target& t, date as_of) {
  return (t.goal.deadline <= as_of ? t.goal.deadline : as_of).year();
}

/// The latest year up to `last_year` with a row of one of `inds` under `scope` in `rows`, or -1.
int standard_year(const plan& p, const observation_view& rows, const std::vector<std::uint32_t>& inds,
                  std::uint32_t scope, int last_year) {
  int year = -1;
  const auto& tree = p.entities();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (std::find(inds.begin(), inds.end(), rows.indicator[r]) == inds.end()) continue;
    const int y = from_day_number(rows.end[r]).year();
    if (y > last_year || y <= year) continue;
    if (tree.is_ancestor_or_self(scope, rows.entity[r])) year = y;
  }
  return year;
}

direction goal_direction(const goal& g, const indicator& ind) {
  switch (g.comparator) {
  case comparator::ge:
  case comparator::gt:
  case comparator::increase:
  case comparator::non_decreasing:
  case comparator::strictly_increasing: return direction::increase;
  case comparator::le:
  case comparator::lt:
  case comparator::decrease: return direction::decrease;
  default: return ind.direction;
  }
}

} // namespace

// impl is defined in this translation unit only, so its members may be of types from the anonymous
// namespace (GCC warns about that for types a header could define twice).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsubobject-linkage"
#endif
/// The states of an evaluation in parts (evaluate_partial.hpp); src/evaluate_partial.ipp fills,
/// merges and saves them, the evaluator below reads them.
struct evaluation_partial::impl {
  plan_key key;
  evaluate_options opt;                   ///< as_of, primary, methods, params (no standards)
  std::vector<std::string> standard_ids;  ///< ids of evaluate_options::standards
  std::vector<std::uint32_t> std_target;  ///< per slot: a target judged by a standard (found)
  std::vector<std::vector<std::uint32_t>> std_inds; ///< per slot: the plan indicators of its standard
  std::string opt_bytes;                  ///< all of the above as bytes (+= compares them)
  /// 0 while no part had rows; else 1 + (weight column ? 1 : 0) + (derived rows ? 2 : 0)
  std::uint8_t form = 0;
  std::uint64_t rows = 0, after = 0;
  std::optional<day_number> last_end; ///< the latest end day of a row up to as_of
  /// per indicator: the first entity of a row of a weighted indicator, npos, or several
  std::vector<std::uint32_t> first_entity;
  std::vector<rollup_partial> rollups; ///< one per rollup_requests()
  std::map<std::pair<std::uint32_t, std::int32_t>, derivation_sums> derivations; ///< (target, year)
  std::vector<std::int32_t> std_year; ///< per slot: the latest year with a row, or -1
  observation_table std_rows;         ///< rows of the slots' years that their standards read
  std::vector<std::uint64_t> std_masks; ///< per row of std_rows: the slots under whose scope it lies (bitmap)
  std::uint64_t used_static = 0;      ///< rows under a target's scope
  /// rows under no target's scope but under the scopes of standard-judged targets: per pattern
  /// (bitmap of slots)
  std::map<std::vector<std::uint64_t>, std::uint64_t> used_patterns;

  static constexpr std::uint32_t several = entity_tree::npos - 1;
  bool has_weight() const noexcept { return form != 0 && ((form - 1) & 1) != 0; }
  bool derived_input() const noexcept { return form != 0 && ((form - 1) & 2) != 0; }
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace {

class evaluator {
public:
  evaluator(const plan& p, const observation_view& obs, const evaluate_options& opt) : p_(p), opt_(opt) {
    set_up_methods();
    rows_ = rows_up_to(obs, opt.as_of);
    input_rows_ = rows_.view.size();
    // where the data end: the latest day of a row up to as_of, or of a value the plan records
    {
      day_number last = 0;
      bool any = false;
      for (std::size_t i = 0; i < input_rows_; ++i) {
        last = any ? std::max(last, rows_.view.end[i]) : rows_.view.end[i];
        any = true;
      }
      if (any) rep_.data_end = from_day_number(last);
      plan_data_end();
    }
    if (!rows_.view.derived && needs_derive(p_)) {
      // the plan's derived indicators, computed once from the rows up to as_of (derived.hpp)
      derived_ = derive(p_, rows_.view);
      rows_.view = derived_->table.view();
    }
    count_rows(obs.size(), rows_.after);
    roll_up();
  }

  /// The evaluation from merged states (evaluation_partial::finalise): the same steps, reading
  /// the states where the constructor above reads rows.
  evaluator(const plan& p, const evaluation_partial::impl& part, const evaluate_options& opt)
      : p_(p), opt_(opt), part_(&part) {
    set_up_methods();
    if (part.last_end) rep_.data_end = from_day_number(*part.last_end);
    plan_data_end();
    part_derived_ = !part.derived_input() && needs_derive(p_);
    count_rows(static_cast<std::size_t>(part.rows), static_cast<std::size_t>(part.after));
    judged_slots_.assign(part.std_target.size(), 0);
    slot_of_target_.assign(p_.targets().size(), -1);
    for (std::size_t k = 0; k < part.std_target.size(); ++k)
      slot_of_target_[part.std_target[k]] = static_cast<std::int32_t>(k);
    std::vector<rollup_result> results;
    std::vector<std::uint32_t> assumed;
    for (const auto& r : part.rollups) {
      results.push_back(r.finalise(p_));
      const auto& a = results.back().weight_assumed_entities;
      std::vector<std::uint32_t> u;
      std::set_union(assumed.begin(), assumed.end(), a.begin(), a.end(), std::back_inserter(u));
      assumed = std::move(u);
    }
    absorb(results, assumed, [&] {
      return std::any_of(part.first_entity.begin(), part.first_entity.end(),
                         [](std::uint32_t e) { return e == evaluation_partial::impl::several; });
    });
  }

  /// The methods (the primary first) and their parameters, every parameter set checked; the
  /// indicators' display decimals.
  void set_up_methods() {
    methods_.push_back(opt_.primary);
    for (auto m : opt_.methods)
      if (std::find(methods_.begin(), methods_.end(), m) == methods_.end()) methods_.push_back(m);
    // every parameter set is checked now, also of methods not run (unknown names throw): a
    // throw-away assessment
    for (const auto& [pm, pv] : opt_.params)
      (void)assess(pm, assess_input{{2020, 1}, {2021, 2}, time_point{2025, 3}, direction::increase, {}, {}, {}}, pv);
    for (auto m : methods_) {
      assess_params prm;
      for (const auto& [pm, pv] : opt_.params)
        if (pm == m) prm = pv;
      params_.push_back(prm);
    }
    shown_ = with_display_decimals(p_);
  }

  /// data_end: the plan's own values up to as_of count too.
  void plan_data_end() {
    for (const auto& o : p_.observations())
      if (o.period.end <= opt_.as_of && (!rep_.data_end || *rep_.data_end < o.period.end)) rep_.data_end = o.period.end;
  }

  void count_rows(std::size_t rows, std::size_t after) {
    rep_.rows = rows;
    rep_.rows_after_as_of = after;
    if (after > 0)
      rep_.problems.push_back(
          {"after_as_of",
           "",
           {std::to_string(after) + " 行观测日期晚于评估日 " + format_date(opt_.as_of) + "，未使用",
            std::to_string(after) + " observation rows dated after the evaluation date " +
                format_date(opt_.as_of) + " were not used"}});
  }

  report run() {
    rep_.plan = p_.id();
    rep_.title = p_.title();
    rep_.as_of = opt_.as_of;
    rep_.primary = opt_.primary;
    rep_.methods = methods_;
    rep_.conflicts = p_.conflicts();
    for (std::uint32_t i = 0; i < p_.targets().size(); ++i) rep_.targets.push_back(evaluate_target(i));
    summarise();
    rep_.rows_used = count_rows_used();
    return std::move(rep_);
  }

private:
  // --- data ------------------------------------------------------------------------------------

  /// True if some indicator rolled up as a weighted mean (rates, ratios) has rows for more than one
  /// entity: only then does a missing weight column change a figure (one school, or counts only,
  /// need no weights, and the report does not warn about them).
  bool weights_would_matter(const observation_view& v, std::size_t input_rows) const {
    const std::size_t n = p_.indicators().size();
    std::vector<std::uint32_t> first(n, entity_tree::npos);
    std::vector<std::uint8_t> weighted(n, 0);
    for (std::size_t i = 0; i < n; ++i) weighted[i] = default_rule(p_.indicators()[i]) == rollup_rule::weighted_mean;
    for (std::size_t r = 0; r < input_rows && r < v.size(); ++r) { // the rows given, not derived ones
      const auto ind = v.indicator[r];
      if (ind >= n || !weighted[ind]) continue;
      if (first[ind] == entity_tree::npos)
        first[ind] = v.entity[r];
      else if (first[ind] != v.entity[r])
        return true;
    }
    return false;
  }

  void roll_up() {
    if (rows_.view.size() == 0) return;
    const auto opts = rollup_requests(p_, opt_.threads);
    const auto results = rollup(p_, rows_.view, std::span<const rollup_options>(opts));
    static const std::vector<std::uint32_t> none;
    absorb(results, results.empty() ? none : results.front().weight_assumed_entities,
           [&] { return weights_would_matter(rows_.view, input_rows_); });
  }

  /// The roll-ups' values as the series read them, and the entities weighed 1 (`assumed`) said
  /// where that changes a figure (`matters()`: a weighted roll-up over several entities).
  template <class Matters>
  void absorb(const std::vector<rollup_result>& results, const std::vector<std::uint32_t>& assumed, Matters matters) {
    const auto& tree = p_.entities();
    // weights the definitions name but the data lack (a school without students): weighed 1,
    // said where it changes a figure (a weighted roll-up over several entities)
    if (!results.empty() && !assumed.empty() && matters()) {
      const auto& ents = assumed;
      std::string list;
      for (std::size_t k = 0; k < ents.size() && k < 5; ++k) list += (k ? ", " : "") + tree[ents[k]].id;
      if (ents.size() > 5) list += " …";
      const std::string n = std::to_string(ents.size());
      rep_.problems.push_back(
          {"weight_assumed",
           "",
           {n + " 个单位缺少加权所需的数（在校生数或分母指标值），其比率按权重 1 汇总：" + list,
            n + " entities lack the number their rates are weighed by (students or the denominator indicator), so "
                "they were weighed 1: " + list}});
    }
    for (const auto& r : results)
      for (std::size_t k = 0; k < r.size(); ++k) {
        if (!r.defined[k]) continue;
        const int year = from_day_number(r.end[k]).year();
        data_[{r.indicator[k], r.entity[k], year}] = {r.value[k], r.units[k], r.missing_units[k], r.rule[k]};
      }
  }

  std::size_t count_rows_used() const {
    if (part_) {
      // the rows under a target's scope, and the patterns that hold a target judged by its standard
      std::size_t used = static_cast<std::size_t>(part_->used_static);
      for (const auto& [mask, n] : part_->used_patterns)
        for (std::size_t k = 0; k < judged_slots_.size(); ++k)
          if (judged_slots_[k] && (mask[k / 64] >> (k % 64) & 1)) {
            used += static_cast<std::size_t>(n);
            break;
          }
      return used;
    }
    // rows of a target's indicator at or below that target's scope (up to as_of)
    // (and rows of a standard's indicators in the scope of a target judged by that standard)
    // indicator index -> scopes: a vector lookup per row, not a map search
    std::vector<std::vector<std::uint32_t>> scopes(p_.indicators().size());
    for (const auto& [i, s] : standard_scopes_) scopes[i] = s;
    for (const auto& t : p_.targets()) scopes[t.indicator_index].push_back(t.scope_index);
    // a derived indicator uses the rows of what it references (earlier in the plan)
    for (std::size_t i = p_.indicators().size(); i-- > 0;) {
      const auto& ind = p_.indicators()[i];
      if (!ind.formula || scopes[i].empty()) continue;
      for (const auto* text : {&ind.formula->expression, &ind.formula->numerator, &ind.formula->denominator})
        for (const auto& id : references_of(*text)) {
          auto& to = scopes[*p_.find_indicator(id)];
          to.insert(to.end(), scopes[i].begin(), scopes[i].end());
        }
    }
    const auto& tree = p_.entities();
    std::size_t used = 0;
    for (std::size_t i = 0; i < input_rows_; ++i) {
      if (rows_.view.indicator[i] >= scopes.size()) continue; // out of range: the roll-up refuses it
      const auto& in = scopes[rows_.view.indicator[i]];
      const auto e = rows_.view.entity[i];
      used += std::any_of(in.begin(), in.end(), [&](std::uint32_t scope) { return tree.is_ancestor_or_self(scope, e); })
                  ? 1
                  : 0;
    }
    return used;
  }

  /// Progress ratios over a required change smaller than two display steps of the indicator
  /// (0.15 points at one decimal) are withheld: rounding each value to the indicator's precision
  /// (± half a step) could move the denominator by more than half of itself, so a ratio like
  /// 53.0 (5,300%) says nothing. The categories stay (they rest on gaps, not on the ratio); the
  /// ratio's value is removed, and a problem "unstable_ratio" says why.
  void withhold_unstable_ratios(const target& t, target_evaluation& ev, double baseline) {
    const indicator& ind = p_.indicators()[t.indicator_index];
    const double step = std::pow(10.0, -decimals_of(ind));
    const double required = std::abs(t.goal.value.number() - baseline);
    if (!(required < 2 * step)) return;
    bool withheld = false;
    for (auto& a : ev.assessments)
      if ((a.method == assess_method::linear || a.method == assess_method::escap_csi) && a.value) {
        a.details.emplace_back("withheld_ratio", *a.value);
        a.value.reset();
        withheld = true;
      }
    if (!withheld) return;
    const std::string r = detail::format_number(std::round(required * 1e6) / 1e6), st = detail::format_number(step);
    rep_.problems.push_back(
        {"unstable_ratio",
         t.id,
         {"目标 " + t.id + "：要求的变化（" + r + "）不足指标精度（" + st +
              "）的两倍，按精度取整即可使完成进度变化一半以上，故不给出进度比值（类别照常判断）",
          "target " + t.id + ": the required change (" + r + ") is less than two steps of the indicator's precision (" +
              st + "): rounding could move the progress ratio by more than half, so no ratio is given (the category "
              "stands)"}});
  }

  /// The numeric series of target t (baseline, plan values, rolled-up data), by date, up to as_of.
  std::vector<series_point> series(const target& t, target_evaluation& ev) {
    std::vector<series_point> pts;
    const date as_of = opt_.as_of;
    if (t.baseline && t.baseline->value.is_number() && t.baseline->date <= as_of)
      pts.push_back({t.baseline->date, t.baseline->value.number(), "baseline", 0, 0});
    for (const auto& o : p_.observations()) {
      if (o.indicator_index != t.indicator_index || o.entity_index != t.scope_index) continue;
      if (!(o.value.is_number() || o.value.is_boolean())) continue;
      if (o.period.end > as_of) {
        ++ev.trace.ignored_after_as_of;
        continue;
      }
      const double x = o.value.is_number() ? o.value.number() : (o.value.boolean() ? 1.0 : 0.0);
      pts.push_back({o.period.end, x, "plan:" + o.id, 0, 0});
    }
    std::vector<int> data_years;
    for (auto it = data_.lower_bound({t.indicator_index, t.scope_index, -100000});
         it != data_.end() && std::get<0>(it->first) == t.indicator_index && std::get<1>(it->first) == t.scope_index;
         ++it) {
      const int y = std::get<2>(it->first);
      const date d(static_cast<unsigned short>(y), 12, 31);
      if (d > as_of) continue; // a year not complete at as_of
      ev.trace.rule = std::string(to_string(it->second.rule));
      data_years.push_back(y);
      // a plan value for the same year: the data win, a disagreement is reported
      for (auto& q : pts)
        if (q.source != "data" && q.date.year() == y && q.source != "baseline" &&
            std::abs(q.value - it->second.value) > 1e-9 * std::max(1.0, std::abs(q.value)))
          rep_.problems.push_back(
              {"value_disagrees",
               t.id,
               {"目标 " + t.id + "：" + std::to_string(y) + " 年规划记录值 " + detail::format_number(q.value) +
                    " 与数据汇总值 " + detail::format_number(it->second.value) + " 不一致，采用数据值",
                "target " + t.id + ": the plan's value for " + std::to_string(y) + " (" +
                    detail::format_number(q.value) + ") differs from the data (" +
                    detail::format_number(it->second.value) + "); the data were used"}});
      // data for the baseline's year that differ from the plan's baseline: said, with the one used
      for (const auto& q : pts)
        if (q.source == "baseline" && q.date.year() == y &&
            std::abs(q.value - it->second.value) > 1e-9 * std::max(1.0, std::abs(q.value)))
          rep_.problems.push_back(
              {"baseline_disagrees",
               t.id,
               {"目标 " + t.id + "：" + std::to_string(y) + " 年数据汇总值 " + detail::format_number(it->second.value) +
                    " 与规划基期值 " + detail::format_number(q.value) + " 不一致；序时进度以规划基期值为起点",
                "target " + t.id + ": the data give " + detail::format_number(it->second.value) + " for " +
                    std::to_string(y) + ", the plan's baseline is " + detail::format_number(q.value) +
                    "; the planned path starts at the plan's baseline"}});
      std::erase_if(pts, [&](const series_point& q) { return q.source.rfind("plan:", 0) == 0 && q.date.year() == y; });
      pts.push_back({d, it->second.value, "data", it->second.units, it->second.missing_units});
    }
    for (std::size_t k = 1; k < data_years.size(); ++k)
      if (data_years[k] != data_years[k - 1] + 1)
        rep_.problems.push_back({"missing_years",
                                 t.id,
                                 {"目标 " + t.id + "：数据缺 " + std::to_string(data_years[k - 1] + 1) + "—" +
                                      std::to_string(data_years[k] - 1) + " 年",
                                  "target " + t.id + ": no data for " + std::to_string(data_years[k - 1] + 1) + "–" +
                                      std::to_string(data_years[k] - 1)}});
    std::stable_sort(pts.begin(), pts.end(), [](const auto& a, const auto& b) { return a.date < b.date; });
    return pts;
  }

  // --- one target --------------------------------------------------------------------------------

  target_evaluation evaluate_target(std::uint32_t index) {
    const target& t = p_.targets()[index];
    const indicator& ind = shown_[t.indicator_index];
    target_evaluation ev;
    ev.target = t.id;
    ev.target_index = index;
    ev.phase_index = t.phase_index;
    ev.due = t.goal.deadline <= opt_.as_of;
    ev.decimals = decimals_of(ind);
    if (t.goal.value.is_number()) ev.goal = t.goal.value.number();
    ev.trace.points = series(t, ev);
    std::string running_total;
    if (t.goal.cumulative) running_total = cumulate(t, ind, ev);
    if (!t.standard.empty() && judge_by_standard(t, ev)) {
      finish(t, ev);
      return ev;
    }
    switch (t.goal.comparator) {
    case comparator::pass: judge_pass(t, ev); break;
    case comparator::non_decreasing:
    case comparator::strictly_increasing: judge_yearly(t, ind, ev); break;
    default:
      if (ind.kind == value_kind::shares)
        judge_shares(t, ind, ev);
      else if (t.goal.relative_to)
        judge_relative(t, ind, ev);
      else if (t.goal.from && needs_value(t.goal.comparator) && !t.goal.cumulative)
        judge_hold(t, ind, ev);
      else
        judge_numeric(t, ind, ev);
    }
    if (!running_total.empty())
      ev.trace.formula = running_total + (ev.trace.formula.empty() ? "" : "; " + ev.trace.formula);
    if (ind.formula && (derived_ || part_derived_) && ev.judged_from == "data" && ev.actual_date)
      describe_derivation(t, ind, ev);
    finish(t, ev);
    return ev;
  }

  static date year_end(date d) { return date(d.year(), 12, 31); }

  /// A due verdict on data older than the deadline's year says so, with the data's age and the
  /// forecast, and is counted as provisional.
  void finish(const target& t, target_evaluation& ev) {
    if (!ev.provisional) return;
    ++rep_.provisional;
    const std::string dl = format_date(t.goal.deadline);
    const std::string y = ev.actual_date ? year_of(*ev.actual_date) : std::string("?");
    std::string fz, fe;
    if (ev.forecast && ev.likely_met) {
      const indicator& ind = shown_[t.indicator_index];
      indicator shown = ind;
      shown.decimals = ev.decimals;
      fz = "按趋势预计期末为 " + with_unit(*ev.forecast, shown) + (*ev.likely_met ? "，可能达成" : "，可能未达成") + "。";
      fe = " The trend gives " + with_unit_en(*ev.forecast, shown) + " at the deadline: " +
           (*ev.likely_met ? "likely met." : "likely missed.");
    }
    ev.trace.sentence.zh = "【暂定】已到期（" + dl + "），但数据仅截至 " + y + " 年，尚无期限当年数据：" +
                           ev.trace.sentence.zh + fz;
    ev.trace.sentence.en = "[provisional] Due " + dl + ", but the data end in " + y +
                           " (none for the deadline's year): " + ev.trace.sentence.en + fe;
  }

  /// Replace the series of a cumulative goal by its running total from the horizon start (or
  /// `from`), after a zero baseline the day before; a year missing stops the total (a gap is not
  /// zero). Returns the trace's account of the sum.
  std::string cumulate(const target& t, const indicator& ind, target_evaluation& ev) {
    const date start = t.goal.from ? *t.goal.from : p_.horizon().start;
    std::map<int, series_point> by_year; // the latest value of each year (data already win)
    for (const auto& q : ev.trace.points)
      if (q.source != "baseline" && q.date >= start) by_year[q.date.year()] = q;
    std::vector<series_point> out;
    out.push_back({start - boost::gregorian::days(1), 0.0, "baseline", 0, 0});
    double total = 0;
    int next = start.year();
    std::string terms;
    for (const auto& [y, q] : by_year) {
      if (y != next) {
        rep_.problems.push_back({"cumulative_gap",
                                 t.id,
                                 {"目标 " + t.id + "：累计值缺 " + std::to_string(next) + " 年数据，只累计到 " +
                                      std::to_string(next - 1) + " 年",
                                  "target " + t.id + ": no value for " + std::to_string(next) +
                                      ", so the running total stops at " + std::to_string(next - 1)}});
        break;
      }
      total += q.value;
      out.push_back({q.date, total, q.source, q.units, q.missing_units});
      terms += (terms.empty() ? "" : " + ") + detail::format_fixed(q.value, decimals_of(ind));
      ++next;
    }
    ev.trace.points = std::move(out);
    if (terms.empty()) return {};
    return "running total from " + std::to_string(start.year()) + ": " + terms + " = " +
           detail::format_fixed(total, decimals_of(ind));
  }

  /// One value per year of an indicator at an entity (plan values, then the data), up to as_of.
  std::map<int, double> yearly_values(std::uint32_t indicator_index, std::uint32_t entity_index) const {
    std::map<int, double> out;
    for (const auto& o : p_.observations())
      if (o.indicator_index == indicator_index && o.entity_index == entity_index && o.value.is_number() &&
          o.period.end <= opt_.as_of)
        out[o.period.end.year()] = o.value.number();
    for (auto it = data_.lower_bound({indicator_index, entity_index, -100000});
         it != data_.end() && std::get<0>(it->first) == indicator_index && std::get<1>(it->first) == entity_index;
         ++it)
      if (date(static_cast<unsigned short>(std::get<2>(it->first)), 12, 31) <= opt_.as_of)
        out[std::get<2>(it->first)] = it->second.value;
    return out;
  }

  /// 不低于全省平均: the latest year with both values, compared by the goal's comparator.
  void judge_relative(const target& t, indicator ind, target_evaluation& ev) {
    const auto& rel = *t.goal.relative_to;
    const entity& re = p_.entities()[rel.entity_index];
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    const std::string sym = comparator_symbol(t.goal.comparator);
    const text rname{re.name.zh, re.name.in("en")};
    const auto ref = yearly_values(rel.indicator_index, rel.entity_index);
    const date limit = ev.due ? year_end(t.goal.deadline) : opt_.as_of;
    std::map<int, const series_point*> own;
    for (const auto& q : ev.trace.points)
      if (q.source != "baseline" && q.date <= limit) own[q.date.year()] = &q;
    ev.reference_entity = re.id;
    if (own.empty()) {
      ev.status = target_status::no_data;
      sentence(ev, zh + "：无数据（目标 " + sym + " " + rname.zh + "）。",
               en + ": no data (target " + sym + " " + rname.en + ").");
      return;
    }
    std::string f;
    const series_point* cur = nullptr;
    std::optional<double> cur_ref;
    bool ok = false;
    for (const auto& [y, q] : own) {
      const auto r = ref.find(y);
      if (r == ref.end()) continue;
      goal g = t.goal;
      g.value = value(r->second);
      const bool held = satisfies(g, value(q->value)).value_or(false);
      f += (f.empty() ? "" : "; ") + std::to_string(y) + ": " + detail::format_number(q->value) + " " +
           (held ? "" : "not ") + sym + " " + detail::format_number(r->second);
      cur = q;
      cur_ref = r->second;
      ok = held;
    }
    const series_point* last = own.rbegin()->second;
    ev.actual = last->value;
    ev.actual_date = last->date;
    ev.judged_from = last->source == "data" ? "data" : "plan";
    if (!cur) {
      ev.status = target_status::no_data;
      sentence(ev,
               zh + " " + year_of(last->date) + " 年为 " + with_unit(last->value, ind) + "；参照" + rname.zh +
                   "同期无数据，无法比较（目标 " + sym + " " + rname.zh + "）。",
               en + " was " + with_unit_en(last->value, ind) + " in " + year_of(last->date) + "; no value of " +
                   rname.en + " for the same year, so it cannot be compared (target " + sym + " " + rname.en + ").");
      return;
    }
    ev.actual = cur->value;
    ev.actual_date = cur->date;
    ev.judged_from = cur->source == "data" ? "data" : "plan";
    ev.reference = cur_ref;
    ev.goal = cur_ref;
    ev.trace.formula = f;
    ev.decimals = distinguishing_decimals(ev.decimals, cur->value, *cur_ref);
    ind.decimals = ev.decimals;
    const bool final_year = cur->date.year() >= t.goal.deadline.year();
    if (ev.due && final_year)
      ev.status = ok ? target_status::met : target_status::missed;
    else {
      ev.provisional = ev.due;
      ev.status = ok ? target_status::on_track : target_status::lagging;
    }
    sentence(ev,
             zh + " " + year_of(cur->date) + " 年为 " + with_unit(cur->value, ind) + "，" + rname.zh + "同期为 " +
                 with_unit(*cur_ref, ind) + "，" + (ok ? "符合" : "未达到") + "目标（" + sym + " " + rname.zh + "）。",
             en + " was " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) + ", " + rname.en + " " +
                 with_unit_en(*cur_ref, ind) + ": the target (" + sym + " " + rname.en + ") is " +
                 (ok ? "met." : "not met."));
  }

  /// 保持在…以上 from a date: every value from then on must satisfy the goal.
  void judge_hold(const target& t, indicator ind, target_evaluation& ev) {
    const date from = *t.goal.from;
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    const std::string fy = format_date(from);
    if (opt_.as_of < from) {
      ev.status = target_status::not_due;
      sentence(ev, zh + "：目标自 " + fy + " 起须保持 " + goal_text(t.goal, ind).zh + "，尚未开始。",
               en + ": the target " + goal_text(t.goal, ind).en + " must hold from " + fy + "; not started yet.");
      return;
    }
    const date limit = ev.due ? year_end(t.goal.deadline) : opt_.as_of;
    std::vector<const series_point*> held;
    const series_point* before = nullptr;
    for (const auto& q : ev.trace.points) {
      if (q.source == "baseline" || q.date > limit) continue;
      if (q.date >= from)
        held.push_back(&q);
      else
        before = &q;
    }
    if (held.empty()) {
      ev.status = target_status::no_data;
      const text gt = goal_text(t.goal, ind);
      std::string bz, be;
      if (before) {
        bz = "（最近为 " + year_of(before->date) + " 年 " + with_unit(before->value, ind) + "）";
        be = " (latest: " + with_unit_en(before->value, ind) + " in " + year_of(before->date) + ")";
      }
      sentence(ev, zh + "：目标自 " + fy + " 起须保持 " + gt.zh + "，此后尚无数据" + bz + "。",
               en + ": the target " + gt.en + " must hold from " + fy + "; no value since" + be + ".");
      return;
    }
    std::string f;
    for (const auto* q : held) {
      const bool ok = satisfies(t.goal, value(q->value)).value_or(false);
      if (!ok) {
        ev.breaches.push_back(q->date.year());
        if (ev.goal) ev.decimals = distinguishing_decimals(ev.decimals, q->value, *ev.goal);
      }
      f += (f.empty() ? "" : " → ") + year_of(q->date) + ": " + detail::format_number(q->value) + (ok ? " ✓" : " ✗");
    }
    ind.decimals = ev.decimals;
    const text gt = goal_text(t.goal, ind);
    const series_point* last = held.back();
    ev.actual = last->value;
    ev.actual_date = last->date;
    ev.judged_from = last->source == "data" ? "data" : "plan";
    ev.trace.formula = f + " (every value from " + fy + " must be " + gt.en + ")";
    const std::string span_zh = year_of(held.front()->date) + (held.size() > 1 ? "—" + year_of(last->date) : "") + " 年";
    const std::string span_en = year_of(held.front()->date) + (held.size() > 1 ? "–" + year_of(last->date) : "");
    if (!ev.breaches.empty()) {
      ev.status = target_status::breached;
      std::string yz, ye;
      for (const auto* q : held)
        if (std::find(ev.breaches.begin(), ev.breaches.end(), q->date.year()) != ev.breaches.end()) {
          yz += (yz.empty() ? "" : "，") + year_of(q->date) + " 年为 " + with_unit(q->value, ind);
          ye += (ye.empty() ? "" : ", ") + with_unit_en(q->value, ind) + " in " + year_of(q->date);
        }
      std::string years;
      for (int y : ev.breaches) years += (years.empty() ? "" : "、") + std::to_string(y);
      std::string years_en;
      for (int y : ev.breaches) years_en += (years_en.empty() ? "" : ", ") + std::to_string(y);
      sentence(ev,
               zh + "：目标自 " + fy + " 起须保持 " + gt.zh + "，" + years + " 年未保持（" + yz + "）；最近 " +
                   year_of(last->date) + " 年为 " + with_unit(last->value, ind) + "。",
               en + ": the target " + gt.en + " must hold from " + fy + " but was not held in " + years_en + " (" + ye +
                   "); latest " + with_unit_en(last->value, ind) + " in " + year_of(last->date) + ".");
      return;
    }
    if (ev.due && last->date.year() >= t.goal.deadline.year())
      ev.status = target_status::met;
    else {
      ev.status = target_status::on_track;
      ev.provisional = ev.due;
    }
    sentence(ev,
             zh + "：自 " + fy + " 起每年均保持 " + gt.zh + "（" + span_zh + "，最近 " + year_of(last->date) + " 年为 " +
                 with_unit(last->value, ind) + "）。",
             en + ": held " + gt.en + " every year since " + fy + " (" + span_en + "; latest " +
                 with_unit_en(last->value, ind) + " in " + year_of(last->date) + ").");
  }

  /// The formula of a derived target's indicator with the numbers of its data year at the scope.
  void describe_derivation(const target& t, const indicator& ind, target_evaluation& ev) const {
    const auto& f = *ind.formula;
    const int year = ev.actual_date->year();
    double num = 0, den = 0;
    std::size_t units = 0, missing = 0;
    if (part_) {
      const auto it = part_->derivations.find({ev.target_index, year});
      if (it != part_->derivations.end()) {
        num = it->second.num;
        den = it->second.den;
        units = static_cast<std::size_t>(it->second.units);
        missing = static_cast<std::size_t>(it->second.missing);
      }
    } else {
      const auto sums = derivation_of(p_, *derived_, t, f, year);
      num = sums.num;
      den = sums.den;
      units = static_cast<std::size_t>(sums.units);
      missing = static_cast<std::size_t>(sums.missing);
    }
    if (units + missing == 0) return; // the data year's value was observed, not derived
    describe_derivation_text(ind, f, year, num, den, units, missing, ev);
  }

  static void describe_derivation_text(const indicator& ind, const indicator_formula& f, int year, double num, double den,
                                       std::size_t units, std::size_t missing, target_evaluation& ev) {
    const std::string y = std::to_string(year);
    if (f.is_ratio()) {
      const std::string factor = f.factor == 1 ? "" : detail::format_number(f.factor) + " × ";
      const std::string shape = ind.id + " = " + factor + "Σ(" + expression::parse(f.numerator).to_string() + ") / Σ(" +
                                expression::parse(f.denominator).to_string() + ")";
      const std::string nums = factor + detail::format_number(num) + " / " + detail::format_number(den) + " = " +
                               (den != 0 ? detail::format_fixed(f.factor * num / den, decimals_of(ind) + 1) : "—");
      ev.trace.derivation = {shape + " = " + nums + "（" + y + " 年，" + std::to_string(units) + " 个单位" +
                                 (missing ? "，" + std::to_string(missing) + " 个缺失" : "") + "）",
                             shape + " = " + nums + " (" + y + ", " + std::to_string(units) + " units" +
                                 (missing ? ", " + std::to_string(missing) + " missing" : "") + ")"};
    } else {
      const std::string shape = ind.id + " = " + expression::parse(f.expression).to_string();
      ev.trace.derivation = {shape + "，按单位和时期逐一计算（" + y + " 年：" + std::to_string(units) + " 个单位有值" +
                                 (missing ? "，" + std::to_string(missing) + " 个缺失" : "") + "）",
                             shape + ", computed per unit and period (" + y + ": " + std::to_string(units) +
                                 " units with a value" + (missing ? ", " + std::to_string(missing) + " missing" : "") +
                                 ")"};
    }
  }

  /// The latest point up to `until`.
  static const series_point* latest(const std::vector<series_point>& pts, date until, bool skip_baseline = false) {
    const series_point* best = nullptr;
    for (const auto& q : pts)
      if (q.date <= until && !(skip_baseline && q.source == "baseline")) best = &q;
    return best;
  }

  void sentence(target_evaluation& ev, std::string zh, std::string en) {
    ev.trace.sentence = {std::move(zh), std::move(en)};
  }

  void judge_pass(const target& t, target_evaluation& ev) {
    const date until = ev.due ? t.goal.deadline : opt_.as_of;
    const series_point* q = latest(ev.trace.points, until);
    const std::string dl = format_date(t.goal.deadline);
    const indicator& ind = p_.indicators()[t.indicator_index];
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    if (q) {
      ev.actual = q->value;
      ev.actual_date = q->date;
      ev.judged_from = q->source == "data" ? "data" : "plan";
      const bool ok = q->value != 0;
      if (!ok && ev.due && q->date.year() < t.goal.deadline.year()) {
        // no result for the deadline's year: the last one (not passed) is older
        ev.status = target_status::no_data;
        ev.trace.formula = "result(" + format_date(q->date) + ") = not passed; no result for " +
                           year_of(t.goal.deadline);
        sentence(ev,
                 zh + "：已到期（" + dl + "），尚无期限当年的结果；最近一次（" + year_of(q->date) + " 年）未通过。",
                 en + ": due " + dl + ", no result for the deadline's year; the last one (" + year_of(q->date) +
                     ") was not passed.");
        return;
      }
      ev.status = ok ? (ev.due ? target_status::met : target_status::achieved)
                     : (ev.due ? target_status::missed : target_status::not_due);
      ev.trace.formula = "result(" + format_date(q->date) + ") = " + (ok ? "passed" : "not passed");
      sentence(ev,
               zh + "：" + year_of(q->date) + " 年" + (ok ? "已通过/建成" : "尚未通过/建成") + "（期限 " + dl + "）。",
               en + ": " + (ok ? "passed" : "not passed") + " in " + year_of(q->date) + " (deadline " + dl + ").");
      return;
    }
    ev.status = ev.due ? target_status::no_data : target_status::not_due;
    sentence(ev, zh + (ev.due ? "：已到期（" + dl + "），无结果记录。" : "：" + dl + " 到期，尚无结果。"),
             en + (ev.due ? ": due " + dl + ", no result recorded." : ": due " + dl + ", no result yet."));
  }

  /// A target referencing an official standard, judged on school data when there are any.
  bool judge_by_standard(const target& t, target_evaluation& ev) {
    const standard* s = nullptr;
    for (const auto& st : opt_.standards)
      if (st.id == t.standard) s = &st;
    if (!s)
      if (const plan_standard* own = p_.find_standard(t.standard)) {
        auto it = builtin_cache_.find("plan:" + t.standard);
        if (it == builtin_cache_.end())
          it = builtin_cache_.emplace("plan:" + t.standard, parse_standard(own->json, own->file)).first;
        s = &*it->second;
      }
    if (!s) {
      auto it = builtin_cache_.find(t.standard);
      if (it == builtin_cache_.end()) {
        std::optional<standard> b;
        try {
          b = builtin_standard(t.standard);
        } catch (const error&) {
          rep_.problems.push_back({"unknown_standard",
                                   t.id,
                                   {"目标 " + t.id + " 引用的评估标准 " + t.standard + " 未找到",
                                    "target " + t.id + " references the unknown standard " + t.standard}});
        }
        it = builtin_cache_.emplace(t.standard, std::move(b)).first;
      }
      if (it->second) s = &*it->second;
    }
    if (!s) return false;
    // the standard's unit-level indicators present in the plan, and rows of them in the scope
    std::vector<std::uint32_t> inds;
    for (const auto& si : s->indicators)
      if (auto i = p_.find_indicator(si.id)) inds.push_back(*i);
    int year = -1;
    std::int32_t slot = -1;
    if (part_) {
      slot = slot_of_target_[ev.target_index];
      if (slot >= 0) year = part_->std_year[static_cast<std::size_t>(slot)];
    } else {
      year = standard_year(p_, rows_.view, inds, t.scope_index, standard_last_year(t, opt_.as_of));
    }
    if (year < 0) return false;
    if (part_) judged_slots_[static_cast<std::size_t>(slot)] = 1;
    for (auto i : inds) standard_scopes_[i].push_back(t.scope_index);
    standard_options so;
    so.scope = t.scope;
    so.period = period::calendar_year(year);
    standard_result res = evaluate_standard(*s, p_, part_ ? part_->std_rows.view() : rows_.view, so);
    const indicator& ind = p_.indicators()[t.indicator_index];
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    ev.judged_from = "standard";
    ev.actual_date = date(static_cast<unsigned short>(year), 12, 31);
    const bool at_deadline = ev.due && year == t.goal.deadline.year();
    // a standard failed only for want of data says what is missing: no data, not a failure
    // (a unit with too few criteria met counts as missing data when some of its values are missing:
    // the missing ones might be met; an undefined CV has too few values)
    static constexpr std::string_view missing_codes[] = {"missing_values", "missing_students", "missing_split_weights",
                                                         "no_units",       "criterion_missing", "unit_without_stage",
                                                         "cv_undefined"};
    std::set<std::string> units_missing;
    for (const auto& u : res.units)
      if (std::any_of(u.values.begin(), u.values.end(), [](const auto& v) { return v.missing; }))
        units_missing.insert(u.entity);
    const bool only_missing =
        !res.passed && !res.reasons.empty() && std::all_of(res.reasons.begin(), res.reasons.end(), [&](const auto& rs) {
          if (rs.code == "unit_too_few_met") return units_missing.count(rs.unit) != 0;
          return std::find(std::begin(missing_codes), std::end(missing_codes), rs.code) != std::end(missing_codes);
        });
    if (only_missing) {
      ev.status = target_status::no_data;
    } else {
      ev.actual = res.passed ? 1.0 : 0.0;
      if (ev.due && at_deadline)
        ev.status = res.passed ? target_status::met : target_status::missed;
      else {
        ev.provisional = ev.due; // school data older than the deadline's year
        ev.status = res.passed ? target_status::achieved : target_status::lagging;
      }
    }
    ev.trace.rule = "standard:" + s->id;
    ev.trace.formula = s->id + " (" + s->document.number + ") on school data of " + std::to_string(year) + ": " +
                       std::to_string(res.units.size()) + " units, " + std::to_string(res.reasons.size()) +
                       " reasons to fail";
    std::string rz, re;
    for (std::size_t k = 0; k < res.reasons.size() && k < 3; ++k) {
      rz += (k ? "；" : "") + res.reasons[k].message_zh;
      re += (k ? "; " : "") + res.reasons[k].message_en;
    }
    if (res.reasons.size() > 3) {
      rz += "等 " + std::to_string(res.reasons.size()) + " 项";
      re += " and " + std::to_string(res.reasons.size() - 3) + " more";
    }
    if (only_missing)
      sentence(ev,
               zh + "：按《" + s->title.zh + "》评估，" + std::to_string(year) + " 年数据不全，无法判断：" + rz + "。",
               en + ": by " + s->title.in("en") + ", the " + std::to_string(year) +
                   " data are incomplete, so it cannot be judged: " + re + ".");
    else if (res.passed)
      sentence(ev, zh + "：按《" + s->title.zh + "》评估，" + std::to_string(year) + " 年学校数据达标。",
               en + ": by " + s->title.in("en") + ", the " + std::to_string(year) + " school data pass.");
    else
      sentence(ev, zh + "：按《" + s->title.zh + "》评估，" + std::to_string(year) + " 年未达标：" + rz + "。",
               en + ": by " + s->title.in("en") + ", the " + std::to_string(year) + " school data fail: " + re + ".");
    ev.standard = std::move(res);
    return true;
  }

  void judge_yearly(const target& t, const indicator& ind, target_evaluation& ev) {
    // one value per year: the data, else the plan's
    std::map<int, double> years;
    for (const auto& q : ev.trace.points)
      if (q.source != "baseline") years[q.date.year()] = q.value;
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    if (years.empty()) {
      ev.status = target_status::no_data;
      sentence(ev, zh + "：无逐年数据。", en + ": no yearly values.");
      return;
    }
    ev.actual = years.rbegin()->second;
    ev.actual_date = date(static_cast<unsigned short>(years.rbegin()->first), 12, 31);
    ev.judged_from = ev.trace.rule.empty() ? "plan" : "data";
    const bool strict = t.goal.comparator == comparator::strictly_increasing;
    std::vector<int> breaks;
    std::string f;
    for (auto it = years.begin(); it != years.end(); ++it) {
      f += (f.empty() ? "" : " → ") + std::to_string(it->first) + ": " +
           detail::format_fixed(it->second, decimals_of(ind));
      if (it == years.begin()) continue;
      const double prev = std::prev(it)->second;
      if (strict ? !(it->second > prev) : it->second < prev) breaks.push_back(it->first);
    }
    ev.trace.formula = f;
    if (!breaks.empty()) {
      ev.status = target_status::missed;
      sentence(ev,
               zh + "：" + std::to_string(breaks.front()) + " 年低于上一年，未做到" +
                   (strict ? "逐年增长" : "只增不减") + "。",
               en + ": " + std::to_string(breaks.front()) + " fell below the year before.");
    } else if (years.size() < 2) {
      ev.status = target_status::not_assessable;
      sentence(ev, zh + "：仅有一年数据，无法判断。", en + ": one year of values only.");
    } else {
      const bool final_year = years.rbegin()->first >= t.goal.deadline.year();
      ev.status = ev.due && final_year ? target_status::met : target_status::on_track;
      ev.provisional = ev.due && !final_year;
      sentence(ev,
               zh + "：" + std::to_string(years.begin()->first) + "—" + std::to_string(years.rbegin()->first) + " 年" +
                   (strict ? "逐年增长" : "只增不减") + "。",
               en + ": " + std::to_string(years.begin()->first) + "–" + std::to_string(years.rbegin()->first) +
                   (strict ? " rose every year." : " never fell below the year before."));
    }
  }

  void judge_shares(const target& t, const indicator& ind, target_evaluation& ev) {
    // structure targets are judged on the plan's recorded shares
    const std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    const recorded_observation* best = nullptr;
    for (const auto& o : p_.observations())
      if (o.indicator_index == t.indicator_index && o.entity_index == t.scope_index && o.value.is_vector() &&
          o.period.end <= (ev.due ? year_end(t.goal.deadline) : opt_.as_of) &&
          (!best || best->period.end < o.period.end))
        best = &o;
    if (!best) {
      ev.status = ev.due ? target_status::no_data : target_status::no_data;
      sentence(ev, zh + "：无结构数据。", en + ": no structure values.");
      return;
    }
    const auto ok = satisfies(t.goal, best->value);
    ev.judged_from = "plan";
    ev.actual_date = best->period.end;
    const bool final_year = ev.due && best->period.end.year() >= t.goal.deadline.year();
    ev.provisional = ev.due && !final_year;
    ev.status = ok.value_or(false) ? (final_year ? target_status::met : target_status::achieved)
                                   : (final_year ? target_status::missed : target_status::lagging);
    sentence(ev,
             zh + "：" + year_of(best->period.end) + " 年结构" + (ok.value_or(false) ? "符合" : "不符合") + "目标 " +
                 goal_text(t.goal, ind).zh + "。",
             en + ": the " + year_of(best->period.end) + " structure " +
                 (ok.value_or(false) ? "meets" : "does not meet") + " the target " + goal_text(t.goal, ind).en + ".");
  }

  void judge_numeric(const target& t, indicator ind, target_evaluation& ev) {
    const auto& pts = ev.trace.points;
    std::string zh = target_name(t, ind, false), en = target_name(t, ind, true);
    if (t.goal.cumulative) { // the value is a running total: say so wherever a value is named
      const std::string y = std::to_string((t.goal.from ? *t.goal.from : p_.horizon().start).year());
      zh += "（" + y + " 年起累计）";
      en += " (total since " + y + ")";
    }
    const std::string dl = format_date(t.goal.deadline);
    text gt = goal_text(t.goal, ind);
    // baseline: the target's; else the latest value up to the horizon's start (history before the
    // plan, the previous plan's figures, is a trend's past, not the start of the planned path); else the first
    std::optional<series_point> base;
    for (const auto& q : pts)
      if (q.source == "baseline") base = q;
    if (!base)
      for (const auto& q : pts)
        if (q.date <= p_.horizon().start) base = q;
    if (!base && !pts.empty()) base = pts.front();
    const value base_value = base ? value(base->value) : value();

    const series_point* cur = nullptr;
    if (ev.due) {
      // final only on a value of the deadline's own year (a yearly value is dated 31 December)
      const series_point* q = latest(pts, year_end(t.goal.deadline), true);
      if (!q) {
        ev.status = target_status::no_data;
        sentence(ev, zh + "：已到期（" + dl + "），无截至期限的数据。",
                 en + ": due " + dl + ", no value up to the deadline.");
        return;
      }
      if (q->date.year() < t.goal.deadline.year()) {
        ev.provisional = true; // older data: what they show, not a final verdict
        cur = q;
      }
    }
    if (ev.due && !cur) {
      const series_point* q = latest(pts, year_end(t.goal.deadline), true);
      const bool ok = satisfies(t.goal, value(q->value), base_value).value_or(false);
      if (!ok && ev.goal) ev.decimals = distinguishing_decimals(ev.decimals, q->value, *ev.goal);
      ind.decimals = ev.decimals;
      gt = goal_text(t.goal, ind);
      ev.actual = q->value;
      ev.actual_date = q->date;
      ev.judged_from = q->source == "data" ? "data" : "plan";
      ev.status = ok ? target_status::met : target_status::missed;
      ev.trace.formula = with_unit_en(q->value, ind) + " " + (ok ? "meets" : "does not meet") + " " + gt.en;
      sentence(ev,
               zh + "：" + year_of(q->date) + " 年为 " + with_unit(q->value, ind) + "，目标 " + gt.zh + "（" + dl +
                   "）" + (ok ? "已达成" : "未达成") + "。",
               en + ": " + with_unit_en(q->value, ind) + " in " + year_of(q->date) + "; the target " + gt.en + " (" +
                   dl + ") was " + (ok ? "met." : "missed."));
      return;
    }
    if (!cur) cur = latest(pts, opt_.as_of, true);
    if (cur && t.goal.from && cur->date < *t.goal.from) {
      // a goal that must hold from a date on (保持在…以上 from 2021) is not judged on earlier values
      ev.status = target_status::no_data;
      const std::string from = format_date(*t.goal.from);
      sentence(ev,
               zh + "：目标自 " + from + " 起须保持 " + gt.zh + "，此后尚无数据（最近为 " + year_of(cur->date) +
                   " 年 " + with_unit(cur->value, ind) + "）。",
               en + ": the target " + gt.en + " must hold from " + from +
                   "; no value since (latest: " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) + ").");
      return;
    }
    if (!cur) {
      ev.status = target_status::no_data;
      sentence(ev, zh + "：截至 " + format_date(opt_.as_of) + " 无数据（目标 " + gt.zh + "，" + dl + "）。",
               en + ": no data up to " + format_date(opt_.as_of) + " (target " + gt.en + " by " + dl + ").");
      return;
    }
    ev.actual = cur->value;
    ev.actual_date = cur->date;
    ev.judged_from = cur->source == "data" ? "data" : "plan";
    const bool met_now = satisfies(t.goal, value(cur->value), base_value).value_or(false);

    // assessments (numbers only: a goal with one number)
    const bool single_goal = t.goal.value.is_number() && t.goal.comparator != comparator::eq;
    // without the target's baseline the first value serves, but a single value has no progress
    const bool one_value = base && base->source != "baseline" && base->date == cur->date;
    if (single_goal && base && !one_value) {
      assess_input in;
      in.baseline = {fractional_year(base->date), base->value};
      in.current = {fractional_year(cur->date), cur->value};
      in.target = time_point{fractional_year(t.goal.deadline), t.goal.value.number()};
      in.dir = goal_direction(t.goal, ind);
      for (const auto& q : pts) in.observations.push_back({fractional_year(q.date), q.value});
      for (const auto& m : t.milestones)
        if (m.value.is_number()) in.milestones.push_back({fractional_year(m.date), m.value.number()});
      for (std::size_t k = 0; k < methods_.size(); ++k) ev.assessments.push_back(assess(methods_[k], in, params_[k]));
      withhold_unstable_ratios(t, ev, base->value);
      ev.primary = ev.assessments.front();
      if (auto e = ev.primary->detail("expected_value")) ev.expected = e;
      // the forecast at the deadline: the time-weighted trend (escap_api's prediction)
      if (in.observations.size() >= 2) {
        const assessment api = assess(assess_method::escap_api, in);
        if (auto f = api.detail("predicted_value")) {
          // a share cannot leave 0..100: the trend is cut there
          ev.forecast = ind.is_percentage() ? std::clamp(*f, 0.0, 100.0) : *f;
          ev.likely_met = satisfies(t.goal, value(*ev.forecast), base_value).value_or(false);
        }
      }
    }
    if (met_now) {
      ev.status = target_status::achieved;
    } else if (ev.primary && ev.primary->assessable()) {
      ev.status = favourable(opt_.primary, ev.primary->category) ? target_status::on_track : target_status::lagging;
    } else if ((t.goal.comparator == comparator::increase || t.goal.comparator == comparator::decrease) && base &&
               cur != &pts.front()) {
      ev.status = target_status::lagging; // not above (below) the baseline yet
    } else {
      ev.status = target_status::not_assessable;
    }
    // enough decimals that the numbers shown agree with the verdict (no "100.0 expected to miss 100")
    if (ev.goal && !met_now) ev.decimals = distinguishing_decimals(ev.decimals, cur->value, *ev.goal);
    if (ev.goal && ev.forecast && ev.likely_met && !*ev.likely_met)
      ev.decimals = distinguishing_decimals(ev.decimals, *ev.forecast, *ev.goal);
    if (ev.expected && ev.status == target_status::lagging)
      ev.decimals = distinguishing_decimals(ev.decimals, *ev.expected, cur->value);
    ind.decimals = ev.decimals;
    gt = goal_text(t.goal, ind);
    // the trace's formula and sentence
    if (ev.primary) {
      const assessment& a = *ev.primary;
      // one decimal at least: an expected 2.2 teachers must not read as 2 (lagging by "0")
      // one decimal at least for the path (an expected 47.6 teachers), the count itself as it is (41人)
      explain_context ctx{zh, ind.unit, std::max(1, decimals_of(ind)), year_of(cur->date), year_of(t.goal.deadline),
                          decimals_of(ind)};
      explain_context ctx_en = ctx;
      ctx_en.name = en;
      ctx_en.unit = std::string(unit_en(ind));
      if (opt_.primary == assess_method::linear && a.assessable() && base) {
        const double tau = a.detail("time_progress").value_or(0);
        ev.trace.formula =
            "expected = x0 + (xT − x0)·τ = " + detail::format_fixed(base->value, decimals_of(ind) + 1) + " + (" +
            detail::format_fixed(t.goal.value.number(), decimals_of(ind) + 1) + " − " +
            detail::format_fixed(base->value, decimals_of(ind) + 1) + ") × " + detail::format_fixed(tau, 3) + " = " +
            detail::format_fixed(ev.expected.value_or(0), decimals_of(ind) + 1) + "; actual " +
            detail::format_fixed(cur->value, decimals_of(ind) + 1) +
            "; P = (xt − x0)/(xT − x0) = " + (a.value ? detail::format_fixed(*a.value, 3) : std::string("—"));
      } else {
        ev.trace.formula = std::string(to_string(a.method)) + ": value " +
                           (a.value ? detail::format_fixed(*a.value, 4) : "—") +
                           (a.score ? ", score " + detail::format_fixed(*a.score, 2) : "") + " → " + a.category;
      }
      std::string th;
      for (const auto& [name, v] : default_params(a.method)) {
        std::string val;
        if (auto given = params_[0].get(name)) {
          val = std::holds_alternative<bool>(*given) ? (std::get<bool>(*given) ? "true" : "false")
                                                     : detail::format_number(std::get<double>(*given));
        } else {
          val = std::holds_alternative<bool>(v) ? (std::get<bool>(v) ? "true" : "false")
                                                : detail::format_number(std::get<double>(v));
        }
        th += (th.empty() ? "" : ", ") + name + "=" + val;
      }
      ev.trace.thresholds = th;
      if (met_now)
        sentence(ev,
                 zh + " " + year_of(cur->date) + " 年为 " + with_unit(cur->value, ind) + "，已提前达到 " + dl +
                     " 目标 " + gt.zh + "。",
                 en + " was " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) +
                     ", already meeting the target " + gt.en + " due " + dl + ".");
      else
        sentence(ev, a.explain("zh", ctx), a.explain("en", ctx_en));
      if (base && base->source != "baseline" && a.assessable()) {
        // no baseline in the plan: the planned path starts at the first value, and says so
        ev.trace.sentence.zh += "（规划未给基期值，以 " + year_of(base->date) + " 年的 " + with_unit(base->value, ind) +
                                " 为起点）";
        ev.trace.sentence.en += " (no baseline in the plan: the path starts at " + with_unit_en(base->value, ind) +
                                " in " + year_of(base->date) + ")";
      }
      // every method that cannot judge the target says why (the primary's is the verdict's reason)
      if (!met_now)
        for (const assessment& other : ev.assessments)
          if (!other.assessable()) {
            const std::string m(to_string(other.method));
            rep_.problems.push_back({&other == &ev.assessments.front() ? "too_few_points" : "method_not_assessable",
                                     t.id,
                                     {"目标 " + t.id + "（" + m + "）：" + other.reason.zh,
                                      "target " + t.id + " (" + m + "): " + other.reason.in("en")}});
          }
      return;
    }
    if (met_now)
      sentence(ev,
               zh + " " + year_of(cur->date) + " 年为 " + with_unit(cur->value, ind) + "，已达到目标 " + gt.zh + "。",
               en + " was " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) + ", meeting the target " +
                   gt.en + ".");
    else if (ev.status == target_status::lagging ||
             (!single_goal && t.goal.comparator != comparator::increase && t.goal.comparator != comparator::decrease)) {
      ev.status = target_status::lagging; // a range or an equality not reached yet
      sentence(ev,
               zh + " " + year_of(cur->date) + " 年为 " + with_unit(cur->value, ind) + "，尚未达到目标 " + gt.zh + "。",
               en + " was " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) + ", not yet " + gt.en + ".");
    } else {
      sentence(ev,
               zh + " " + year_of(cur->date) + " 年为 " + with_unit(cur->value, ind) + "，目标 " + gt.zh + "（" + dl +
                   "）；仅一个数据点且无基期值，无法判断进度。",
               en + " was " + with_unit_en(cur->value, ind) + " in " + year_of(cur->date) + " (target " + gt.en +
                   " by " + dl + "); one value and no baseline: progress cannot be judged.");
      rep_.problems.push_back(
          {"too_few_points",
           t.id,
           {"目标 " + t.id + "：仅一个数据点且无基期值", "target " + t.id + ": one value and no baseline"}});
    }
  }

  // --- summaries ---------------------------------------------------------------------------------

  void summarise() {
    const auto& tree = p_.entities();
    std::map<std::string, status_counts> dom, stg, obl;
    for (const auto& ev : rep_.targets) {
      rep_.overall.add(ev.status);
      const target& t = p_.targets()[ev.target_index];
      const indicator& ind = p_.indicators()[t.indicator_index];
      obl[std::string(to_string(obligation_of(t, ind)))].add(ev.status);
      dom[ind.domain.empty() ? "other" : ind.domain].add(ev.status);
      const auto& e = tree[t.scope_index];
      stg[e.stage ? std::string(to_string(*e.stage)) : std::string(to_string(e.kind))].add(ev.status);
    }
    for (auto& [k, c] : dom) rep_.by_domain.push_back({k, c});
    for (auto& [k, c] : stg) rep_.by_stage.push_back({k, c});
    for (const obligation o : obligations_in_order)
      if (auto it = obl.find(std::string(to_string(o))); it != obl.end())
        rep_.by_obligation.push_back({it->first, it->second});
    if (rep_.provisional > 0)
      rep_.problems.push_back(
          {"provisional",
           "",
           {std::to_string(rep_.provisional) + " 项到期目标只有早于期限当年的数据" +
                (rep_.data_end ? "（数据截至 " + format_date(*rep_.data_end) + "）" : std::string()) +
                "，结论为暂定，不是最终的达成/未达成",
            std::to_string(rep_.provisional) + " due targets have data only from before their deadline's year" +
                (rep_.data_end ? " (the data end " + format_date(*rep_.data_end) + ")" : std::string()) +
                ": their verdicts are provisional, not a final met/missed"}});
    for (std::uint32_t ph = 0; ph < p_.phases().size(); ++ph) {
      const auto& phase = p_.phases()[ph];
      phase_summary s;
      s.phase = phase.id;
      s.span = {phase.start, phase.end};
      s.current = phase.start <= opt_.as_of && opt_.as_of <= phase.end;
      if (s.current) rep_.current_phase = phase.id;
      for (const auto& ev : rep_.targets) {
        if (ev.phase_index != ph) continue;
        ++s.targets;
        s.statuses.add(ev.status);
        if (!ev.due) {
          ++s.pending;
          continue;
        }
        ++s.due;
        if (ev.provisional) {
          ++s.provisional;
          continue;
        }
        s.met += ev.status == target_status::met ? 1 : 0;
        s.missed += ev.status == target_status::missed || ev.status == target_status::breached ? 1 : 0;
        s.no_data += ev.status == target_status::no_data ? 1 : 0;
      }
      rep_.phases.push_back(std::move(s));
    }
  }

  const plan& p_;
  const evaluate_options& opt_;
  std::vector<indicator> shown_; ///< the plan's indicators with their display decimals
  std::vector<assess_method> methods_;
  std::vector<assess_params> params_;
  filtered_rows rows_;
  std::size_t input_rows_ = 0;                  ///< rows_.view's rows before the derived ones
  std::optional<derived_observations> derived_; ///< when the plan has derived indicators
  std::map<key3, data_value> data_;
  std::map<std::uint32_t, std::vector<std::uint32_t>> standard_scopes_; ///< standard indicator -> scopes judged
  std::map<std::string, std::optional<standard>> builtin_cache_;
  report rep_;
  // the evaluation from merged states (nullptr: from rows)
  const evaluation_partial::impl* part_ = nullptr;
  bool part_derived_ = false;               ///< the states hold derived rows' sums (derived_ would exist)
  std::vector<std::int32_t> slot_of_target_; ///< target -> slot of part_->std_target, or -1
  std::vector<std::uint8_t> judged_slots_;  ///< slots judged by their standard
};

} // namespace

report evaluate(const plan& p, const observation_view& obs, const evaluate_options& options) {
  require_plan(p, obs, "evaluate");
  return evaluator(p, obs, options).run();
}

} // namespace planeval

#include "evaluate_partial.ipp"
