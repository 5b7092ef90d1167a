// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Standards: their indicators added to a plan, and a standard evaluated on a plan's data.

#include <planeval/derived.hpp>
#include <planeval/rules/k_of_n.hpp>
#include <planeval/standard.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <set>
#include <unordered_map>

#include "json_reader.hpp"
#include "standard_detail.hpp"

namespace planeval {

using detail::stage_list;
using json_reading::quoted;

std::vector<std::string> add_standard_indicators(plan& p, const standard& s) {
  std::vector<std::string> added;
  for (const auto& si : s.indicators) {
    if (p.find_indicator(si.id)) continue;
    indicator ind;
    ind.id = si.id;
    ind.name = si.name;
    ind.unit = si.unit;
    ind.kind = si.kind;
    ind.direction = si.direction;
    ind.decimals = si.decimals;
    // a unit-level indicator concerns the stages it has thresholds for (else the standard's); a
    // district-level one is a figure of the county, with no stage (a template's area sheet)
    if (si.level == indicator_level::unit && !si.thresholds.empty())
      for (const auto& [st, x] : si.thresholds) ind.stages.push_back(st);
    else if (si.level == indicator_level::unit)
      ind.stages = s.stages;
    // the plan's vocabulary gains a domain for the standards' indicators unless it has one
    if (!p.find_domain("standard")) p.add_domain({"standard", {"督导评估标准", "official standards"}});
    ind.domain = "standard";
    ind.tags = {"standard:" + s.id};
    ind.definition = si.definition;
    // per-student values: the county value is the student-weighted mean (county total ÷ county
    // students); a stock, so across time the last value counts
    ind.across_entities = si.kind == value_kind::boolean ? entity_rule::all : entity_rule::weighted_mean;
    ind.across_time = time_rule::last;
    ind.source = source_ref{si.name.zh, s.document.number.empty() ? s.title.zh : s.document.number + " " + s.title.zh};
    p.add_indicator(std::move(ind));
    added.push_back(si.id);
  }
  return added;
}

std::vector<double> split_combined_school(double total, std::span<const double> students,
                                          std::span<const double> weights) {
  if (students.size() != weights.size() || students.empty())
    throw error("split_combined_school: expected one student count and one weight per stage, got " +
                std::to_string(students.size()) + " and " + std::to_string(weights.size()));
  if (!std::isfinite(total)) throw error("split_combined_school: total must be finite");
  double denominator = 0;
  for (std::size_t i = 0; i < students.size(); ++i) {
    if (!(std::isfinite(students[i]) && students[i] >= 0))
      throw error("split_combined_school: students must be finite and >= 0, got " + detail::format_number(students[i]));
    if (!(std::isfinite(weights[i]) && weights[i] > 0))
      throw error("split_combined_school: weights must be finite and > 0, got " + detail::format_number(weights[i]));
    denominator += weights[i] * students[i];
  }
  if (!(denominator > 0)) throw error("split_combined_school: the school has no students");
  std::vector<double> out(students.size());
  for (std::size_t i = 0; i < students.size(); ++i) out[i] = total * (weights[i] * students[i]) / denominator;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

/// A number for messages: at most 4 decimals, shortest form (1700, not 1699.9999999999998).
std::string show(double x) { return detail::format_number(std::round(x * 1e4) / 1e4); }

/// A CV beside its limit: 2 decimals, more where 2 would print the limit itself.
std::string show_cv(double cv, double limit) {
  for (int d = 2; d <= 6; ++d) {
    std::string a = fixed(cv, d);
    if (a != fixed(limit, d)) return a;
  }
  return fixed(cv, 8);
}

/// A value of an indicator shown with its display decimals (Indicator.decimals) when it has them,
/// else as show(); `other` (a limit printed beside it) gets more decimals only when the two would
/// otherwise print the same: 1613 and 1500, not 1613.4454 for an indicator shown as whole numbers.
std::string show_in(double x, const std::optional<int>& decimals, std::optional<double> other = std::nullopt) {
  if (!decimals) return show(x);
  for (int d = *decimals; d <= 4; ++d) {
    const std::string a = fixed(x, d);
    if (!other || x == *other || a != fixed(*other, d)) return a;
  }
  return show(x);
}

std::string percent(double share) { return show(share * 100) + "%"; }

std::string stage_en(stage s) { return std::string(detail::name_of(stage_names_en, s)); }

const std::string& name_en(const standard_indicator& i) { return i.name.en.empty() ? i.name.zh : i.name.en; }

/// "a、b、c" / "a, b, c", at most ten.
std::string join_ids(const std::vector<std::string>& ids, std::string_view sep) {
  std::string s;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i == 10) {
      s += std::string(sep) + "…";
      break;
    }
    if (i > 0) s += sep;
    s += ids[i];
  }
  return s;
}

/// One unit being evaluated; values are per unit-level indicator (in standard order).
struct unit_slot {
  entity_tree::index_type entity = 0;
  standard_unit_result result;
  std::vector<std::optional<double>> values;
  std::vector<std::optional<double>> weights; ///< the weight each value enters a CV with
  std::vector<bool> has_row;
  std::vector<bool> split;
  bool exclusion_undecided = false; ///< a students_below exclusion could not be decided
};

class evaluator {
public:
  evaluator(const standard& s, const plan& p, const observation_view& obs, const standard_options& opt)
      : s_(s), p_(p), obs_(obs), opt_(opt), tree_(p.entities()) {}

  standard_result run() {
    setup();
    index_rows();
    if (units_active_) {
      collect_units();
      judge_units();
      across_units();
    }
    district_criteria();
    finish();
    return std::move(res_);
  }

private:
  using eidx = entity_tree::index_type;

  /// An entity as people read it in a message: its name (Chinese / English, else the Chinese), not
  /// its id (ids stay in the reasons' `unit` field and the JSON).
  const std::string& zh_of(eidx e) const { return tree_[e].name.zh.empty() ? tree_[e].id : tree_[e].name.zh; }
  const std::string& en_of(eidx e) const { return tree_[e].name.en.empty() ? zh_of(e) : tree_[e].name.en; }

  // --- set-up ----------------------------------------------------------------------------------

  void setup() {
    if (!opt_.period)
      throw error("evaluate_standard: standard_options.period is required (a calendar year, a school year, or "
                  "calendar_year_of / school_year_of a date)");
    const period per = *opt_.period;
    if (per.end < per.start) throw error("evaluate_standard: the period ends before it starts");
    res_.standard = s_.id;
    res_.period = per;
    lo_ = to_day_number(per.start);
    hi_ = to_day_number(per.end);

    if (opt_.scope.empty()) {
      bool found = false;
      for (eidx i = 0; i < tree_.size() && !found; ++i)
        if (tree_[i].kind == entity_kind::district || tree_[i].kind == entity_kind::county) {
          scope_ = i;
          found = true;
        }
      if (!found)
        throw error("evaluate_standard: the plan has no entity of kind district or county; name the county in "
                    "standard_options.scope");
    } else {
      const auto f = tree_.find(opt_.scope);
      if (!f) throw error("evaluate_standard: unknown scope entity " + quoted(opt_.scope));
      scope_ = *f;
    }
    res_.scope = tree_[scope_].id;

    group_on_.assign(s_.groups.size(), opt_.groups.empty());
    for (const auto& g : opt_.groups) {
      const auto it = std::find_if(s_.groups.begin(), s_.groups.end(), [&](const auto& x) { return x.id == g; });
      if (it == s_.groups.end()) {
        std::string known;
        for (const auto& x : s_.groups) known += (known.empty() ? "" : ", ") + x.id;
        throw error("evaluate_standard: unknown group " + quoted(g) + " of standard " + s_.id +
                    (known.empty() ? " (it has no groups)" : "; its groups are: " + known));
      }
      group_on_[static_cast<std::size_t>(it - s_.groups.begin())] = true;
    }
    for (const auto& [id, why] : opt_.excluded)
      if (!tree_.find(id))
        throw error("evaluate_standard: standard_options.excluded names unknown entity " + quoted(id));

    for (const auto& [k, v] : opt_.indicators)
      if (!s_.find_indicator(k))
        throw error("evaluate_standard: standard_options.indicators names " + quoted(k) +
                    ", which is not an indicator of standard " + s_.id);
    plan_of_.resize(s_.indicators.size());
    std_of_plan_.assign(p_.indicators().size(), -1);
    for (std::size_t i = 0; i < s_.indicators.size(); ++i) {
      const auto& id = s_.indicators[i].id;
      const auto it = opt_.indicators.find(id);
      const std::string& pid = it == opt_.indicators.end() ? id : it->second;
      const auto pi = p_.find_indicator(pid);
      if (!pi && it != opt_.indicators.end())
        throw error("evaluate_standard: standard_options.indicators maps " + quoted(id) + " to " + quoted(pid) +
                    ", which is not an indicator of the plan");
      if (pi) {
        if (std_of_plan_[*pi] >= 0)
          throw error("evaluate_standard: standard indicators " +
                      quoted(s_.indicators[static_cast<std::size_t>(std_of_plan_[*pi])].id) + " and " + quoted(id) +
                      " both map to plan indicator " + quoted(pid));
        std_of_plan_[*pi] = static_cast<std::int32_t>(i);
      }
      plan_of_[i] = pi;
      if (s_.indicators[i].level == indicator_level::unit) {
        if (!s_.indicators[i].thresholds.empty()) judged_.push_back(unit_inds_.size());
        unit_inds_.push_back(i);
      }
    }

    const auto& ur = s_.unit_rule;
    judge_ = ur.kind != unit_rule_kind::none && active(ur.group);
    units_active_ = judge_;
    for (const auto& a : s_.across_units)
      if (active(a.group)) {
        units_active_ = true;
        if (a.weighting == rules::cv_weighting::weighted) needs_students_ = true;
      }
    if (s_.units.level == unit_level::district) units_active_ = false;
    unit_group_ =
        ur.kind != unit_rule_kind::none ? ur.group : (s_.across_units.empty() ? "" : s_.across_units[0].group);
    unit_noun_zh_ = s_.units.level == unit_level::kindergarten ? "幼儿园" : "学校";
    unit_noun_en_ = s_.units.level == unit_level::kindergarten ? "kindergarten" : "school";
  }

  bool active(const std::string& group) const {
    for (std::size_t i = 0; i < s_.groups.size(); ++i)
      if (s_.groups[i].id == group) return group_on_[i];
    return true;
  }

  // --- rows ------------------------------------------------------------------------------------

  void index_rows() {
    const std::size_t n = obs_.size();
    auto check_size = [&](std::string_view column, std::size_t got, bool optional) {
      if (got != n && !(optional && got == 0))
        throw data_error("evaluate_standard: column " + std::string(column) + " has " + std::to_string(got) +
                         " rows, expected " + std::to_string(n));
    };
    check_size("entity", obs_.entity.size(), false);
    check_size("start", obs_.start.size(), false);
    check_size("end", obs_.end.size(), false);
    check_size("value", obs_.value.size(), false);
    check_size("weight", obs_.weight.size(), true);
    check_size("flags", obs_.flags.size(), true);
    const auto n_ind = p_.indicators().size();
    for (std::size_t r = 0; r < n; ++r) {
      const auto ind = obs_.indicator[r];
      const auto ent = obs_.entity[r];
      if (ind >= n_ind)
        throw data_error("row " + std::to_string(r) + ", column indicator: expected an indicator index below " +
                         std::to_string(n_ind) + ", got " + std::to_string(ind));
      if (ent >= tree_.size())
        throw data_error("row " + std::to_string(r) + ", column entity: expected an entity index below " +
                         std::to_string(tree_.size()) + ", got " + std::to_string(ent));
      const day_number e = obs_.end[r];
      if (e < lo_ || e > hi_) continue;
      const auto si = std_of_plan_[ind];
      if (si < 0 || !tree_.is_ancestor_or_self(scope_, ent)) continue;
      const auto [it, inserted] = latest_.emplace(key(ent, static_cast<std::size_t>(si)), r);
      if (!inserted && e >= obs_.end[it->second]) it->second = r; // the latest end date, then the later row
    }
  }

  std::uint64_t key(eidx e, std::size_t si) const { return std::uint64_t{e} * s_.indicators.size() + si; }

  std::optional<std::size_t> row_of(eidx e, std::size_t si) const {
    const auto it = latest_.find(key(e, si));
    if (it == latest_.end()) return std::nullopt;
    return it->second;
  }

  std::optional<double> value_of_row(std::size_t r) const {
    if (obs_.is_missing(r)) return std::nullopt;
    const double x = obs_.value[r];
    if (!std::isfinite(x))
      throw data_error("row " + std::to_string(r) + ", column value: expected a finite number, got " +
                       detail::format_number(x) + " (mark a value not reported as missing)");
    return x;
  }

  std::optional<double> weight_of_row(std::size_t r) const {
    if (!obs_.has_weight()) return std::nullopt;
    const double w = obs_.weight[r];
    if (!(std::isfinite(w) && w >= 0))
      throw data_error("row " + std::to_string(r) + ", column weight: expected a finite weight >= 0, got " +
                       detail::format_number(w));
    return w;
  }

  // --- units -----------------------------------------------------------------------------------

  std::optional<stage> stage_of(eidx e) const {
    for (eidx j = e; j != entity_tree::npos; j = tree_.parent(j))
      if (tree_[j].stage) return tree_[j].stage;
    return std::nullopt;
  }
  bool in_stages(stage st) const { return std::find(s_.stages.begin(), s_.stages.end(), st) != s_.stages.end(); }
  bool is_unit_kind(entity_kind k) const {
    return std::find(s_.units.entity_kinds.begin(), s_.units.entity_kinds.end(), k) != s_.units.entity_kinds.end();
  }

  /// The weight of the entity's latest row among the unit-level indicators, else its `students`.
  std::optional<double> students_of(eidx e) const {
    if (obs_.has_weight()) {
      std::optional<std::size_t> best;
      for (auto si : unit_inds_)
        if (const auto r = row_of(e, si))
          if (!best || obs_.end[*r] > obs_.end[*best] || (obs_.end[*r] == obs_.end[*best] && *r > *best)) best = r;
      if (best) return weight_of_row(*best);
    }
    return tree_[e].students;
  }

  void reason(std::string code, std::string group, std::optional<stage> st, std::string indicator, std::string unit,
              std::optional<double> value, std::optional<double> limit, std::string zh, std::string en) {
    res_.reasons.push_back({std::move(code), std::move(group), st, std::move(indicator), std::move(unit), value, limit,
                            std::move(zh), std::move(en)});
  }

  void collect_units() {
    for (eidx i = 0; i < tree_.size(); ++i) {
      if (i == scope_ || !tree_.is_ancestor_or_self(scope_, i)) continue;
      const entity& e = tree_[i];
      if (!is_unit_kind(e.kind)) continue;
      if (const auto st = stage_of(i)) {
        if (in_stages(*st)) add_unit(i, std::nullopt, *st);
        continue;
      }
      std::vector<eidx> parts;
      for (auto c : tree_.children(i))
        if (tree_[c].kind == entity_kind::stage && tree_[c].stage) parts.push_back(c);
      if (!parts.empty()) {
        add_combined(i, parts);
        continue;
      }
      unit_slot u;
      u.entity = i;
      u.result.entity = e.id;
      u.result.students = students_of(i);
      u.result.excluded = true;
      u.result.exclusion = "no_stage";
      u.result.excluded_because = {"没有学段，无法评估", "no stage: it cannot be evaluated"};
      units_.push_back(std::move(u));
      reason(
          "unit_without_stage", unit_group_, std::nullopt, "", e.id, std::nullopt, std::nullopt,
          e.id + "（" + e.name.zh +
              "）没有学段，无法评估：请设置其学段，或把它放在有学段的上级之下；一贯制学校请为各学段添加 stage 子实体",
          e.id + " (" + e.name.in("en") +
              ") has no stage and cannot be evaluated: set its stage, place it under an entity with a stage, or "
              "give a combined school one child entity of kind stage per stage");
    }
  }

  unit_slot& add_unit(eidx e, std::optional<eidx> combined, stage st) {
    unit_slot u;
    u.entity = e;
    u.result.entity = tree_[e].id;
    if (combined) u.result.combined_school = tree_[*combined].id;
    u.result.stage = st;
    u.result.students = students_of(e);
    const auto m = unit_inds_.size();
    u.values.resize(m);
    u.weights.resize(m);
    u.has_row.assign(m, false);
    u.split.assign(m, false);
    for (std::size_t j = 0; j < m; ++j)
      if (const auto r = row_of(e, unit_inds_[j])) {
        u.has_row[j] = true;
        u.values[j] = value_of_row(*r);
        u.weights[j] = obs_.has_weight() ? weight_of_row(*r) : u.result.students;
      }
    apply_exclusions(u, combined);
    units_.push_back(std::move(u));
    return units_.back();
  }

  /// A 一贯制 school: its parts (children of kind stage) become units; split_combined indicators
  /// without a row of the part take the part's share of the school's row.
  void add_combined(eidx school, const std::vector<eidx>& parts) {
    std::vector<stage> stages;
    std::vector<double> students;
    bool all_students = true;
    for (auto c : parts) {
      stages.push_back(*tree_[c].stage);
      const auto n = students_of(c);
      if (!n) all_students = false;
      students.push_back(n.value_or(0));
    }
    const standard_split* split = s_.find_split(stages);
    std::vector<double> weights;
    if (split)
      for (auto st : stages)
        weights.push_back(split->weights[static_cast<std::size_t>(
            std::find(split->stages.begin(), split->stages.end(), st) - split->stages.begin())]);
    double total_students = 0;
    for (double n : students) total_students += n;
    bool needs_split = false;
    for (std::size_t k = 0; k < parts.size(); ++k) {
      if (!in_stages(stages[k])) continue;
      unit_slot& u = add_unit(parts[k], school, stages[k]);
      for (std::size_t j = 0; j < unit_inds_.size(); ++j) {
        if (u.has_row[j] || !s_.indicators[unit_inds_[j]].split_combined) continue;
        const auto r = row_of(school, unit_inds_[j]);
        if (!r) continue;
        const auto x = value_of_row(*r);
        if (!x) continue;
        u.split[j] = true;
        needs_split = true;
        if (!split || !all_students || !(students[k] > 0)) continue; // reported below; the value stays missing
        const auto shares = split_combined_school(*x * total_students, students, weights);
        u.values[j] = shares[k] / students[k];
        u.weights[j] = students[k];
      }
    }
    const entity& e = tree_[school];
    if (needs_split && !split)
      reason("missing_split_weights", unit_group_, std::nullopt, "", e.id, std::nullopt, std::nullopt,
             "一贯制学校 " + zh_of(school) + " 的学段组合（" + stage_list(stages) + "）在本标准中没有拆分权重",
             "combined school " + en_of(school) + ": the standard has no split weights for the stages " +
                 stage_list(stages));
    if (needs_split && !all_students)
      for (std::size_t k = 0; k < parts.size(); ++k)
        if (!students_of(parts[k]) && !in_stages(stages[k])) // parts of the standard's stages are reported as units
          reason("missing_students", unit_group_, stages[k], "", tree_[parts[k]].id, std::nullopt, std::nullopt,
                 zh_of(parts[k]) + " 没有学生数，无法拆分一贯制学校 " + zh_of(school) + " 的资源",
                 en_of(parts[k]) + " has no student count, so combined school " + en_of(school) + " cannot be split");
  }

  void apply_exclusions(unit_slot& u, std::optional<eidx> combined) {
    const entity& e = tree_[u.entity];
    const entity& school = combined ? tree_[*combined] : e; // a part is recognised by its school
    auto user = opt_.excluded.find(e.id);
    if (user == opt_.excluded.end() && combined) user = opt_.excluded.find(school.id);
    if (user != opt_.excluded.end()) {
      u.result.excluded = true;
      u.result.exclusion = "option";
      u.result.excluded_because = {user->second, user->second};
      return;
    }
    for (const auto& x : s_.exclusions) {
      if (!x.entity_kinds.empty() &&
          std::find(x.entity_kinds.begin(), x.entity_kinds.end(), school.kind) == x.entity_kinds.end())
        continue;
      if (x.kind == exclusion_kind::name_contains) {
        for (const auto& pattern : x.patterns)
          if (school.name.zh.find(pattern) != std::string::npos || e.name.zh.find(pattern) != std::string::npos) {
            u.result.excluded = true;
            u.result.exclusion = x.id;
            u.result.excluded_because = x.description;
            return;
          }
      } else if (!u.result.students) {
        u.exclusion_undecided = true; // reported as missing_students
      } else if (*u.result.students < x.students) {
        u.result.excluded = true;
        u.result.exclusion = x.id;
        const auto n = show(*u.result.students);
        u.result.excluded_because = {x.description.zh + "（" + n + " 人）",
                                     x.description.in("en") + " (" + n + " students)"};
        return;
      }
    }
  }

  /// Is unit-level indicator j (position in unit_inds_) used by an active rule?
  bool used(std::size_t j) const {
    const auto& ind = s_.indicators[unit_inds_[j]];
    if (judge_ && !ind.thresholds.empty()) return true;
    for (const auto& a : s_.across_units)
      if (active(a.group) &&
          (a.indicators.empty() || std::find(a.indicators.begin(), a.indicators.end(), ind.id) != a.indicators.end()))
        return true;
    return false;
  }

  template <class F>
  void for_units(stage st, F f) {
    for (auto& u : units_)
      if (!u.result.excluded && u.result.stage == st) f(u);
  }

  std::size_t units_in(stage st) {
    std::size_t n = 0;
    for_units(st, [&](unit_slot&) { ++n; });
    return n;
  }

  void judge_units() {
    // what every unit has, judged or not
    for (auto& u : units_) {
      for (std::size_t j = 0; j < unit_inds_.size(); ++j) {
        const auto& ind = s_.indicators[unit_inds_[j]];
        standard_unit_value v;
        v.indicator = ind.id;
        if (j < u.values.size()) {
          v.value = u.values[j];
          v.missing = !u.values[j];
          v.split = u.split[j];
        }
        if (u.result.stage) v.threshold = value_for(ind.thresholds, *u.result.stage);
        if (v.value && v.threshold) v.ratio = *v.value / *v.threshold;
        u.result.values.push_back(std::move(v));
      }
    }

    std::size_t total_units = 0;
    for (auto st : s_.stages) total_units += units_in(st);
    if (total_units == 0)
      reason("no_units", unit_group_, std::nullopt, "", "", std::nullopt, std::nullopt,
             zh_of(scope_) + " 之下没有参加评估的" + unit_noun_zh_ + "（" + format_period(res_.period) + "）",
             "no " + unit_noun_en_ + " to evaluate below " + en_of(scope_) + " (" + format_period(res_.period) + ")");

    for (auto& u : units_)
      if (!u.result.excluded && !u.result.students && (needs_students_ || u.exclusion_undecided))
        reason("missing_students", unit_group_, u.result.stage, "", u.result.entity, std::nullopt, std::nullopt,
               u.result.entity + " 没有学生数（权重列或实体的 students），" +
                   (u.exclusion_undecided ? "无法判断是否排除，也" : "") + "无法计入差异系数",
               u.result.entity + " has no student count (weight column or entity students)" +
                   (u.exclusion_undecided ? ": the exclusions cannot be decided and it" : ": it") +
                   " cannot enter the coefficient of variation");

    for (auto st : s_.stages)
      for (std::size_t j = 0; j < unit_inds_.size(); ++j) {
        if (!used(j)) continue;
        std::vector<std::string> ids, names_en;
        for_units(st, [&](unit_slot& u) {
          if (!u.values[j]) {
            ids.push_back(zh_of(u.entity));
            names_en.push_back(en_of(u.entity));
          }
        });
        if (ids.empty()) continue;
        const auto& ind = s_.indicators[unit_inds_[j]];
        const auto n = ids.size();
        const std::string why_zh = plan_of_[unit_inds_[j]] ? "" : "（规划中没有指标 " + ind.id + "）";
        const std::string why_en = plan_of_[unit_inds_[j]] ? "" : " (the plan has no indicator " + ind.id + ")";
        reason("missing_values", ind.group.empty() ? unit_group_ : ind.group, st, ind.id, "", static_cast<double>(n),
               std::nullopt,
               std::string(to_string(st)) + "有 " + std::to_string(n) + " 所" + unit_noun_zh_ + "缺少“" + ind.name.zh +
                   "”数据" + why_zh + "：" + join_ids(ids, "、"),
               std::to_string(n) + " " + stage_en(st) + " " + unit_noun_en_ + (n == 1 ? " has" : "s have") +
                   " no value for " + name_en(ind) + why_en + ": " + join_ids(names_en, ", "));
      }

    if (!judge_) return;
    const auto& rule = s_.unit_rule;
    const auto n = static_cast<std::uint32_t>(judged_.size());
    const bool all = rule.kind == unit_rule_kind::all;
    const std::uint32_t k = all ? n : rule.k;
    const double floor = all ? 1.0 : rule.floor;
    std::uint64_t passed = 0, judged_units = 0;
    for (auto st : s_.stages) {
      std::vector<rules::criterion> criteria;
      for (auto j : judged_) {
        const auto& ind = s_.indicators[unit_inds_[j]];
        criteria.push_back({*ind.comparator, *value_for(ind.thresholds, st), ind.name.zh});
      }
      rules::k_of_n kr(criteria, k, floor);
      std::uint32_t ordinal = 0;
      for_units(st, [&](unit_slot& u) {
        std::vector<double> values(n, 0.0);
        const auto present = std::make_unique<bool[]>(n);
        for (std::uint32_t c = 0; c < n; ++c) {
          present[c] = u.values[judged_[c]].has_value();
          if (present[c]) values[c] = *u.values[judged_[c]];
        }
        const std::span<const bool> flags(present.get(), n);
        const auto r = kr.check(values, flags);
        kr(ordinal++, values, flags);
        u.result.passed = r.passed;
        u.result.met_count = r.met_count;
        for (std::uint32_t c = 0; c < n; ++c) {
          auto& v = u.result.values[judged_[c]];
          v.met = r.met(c);
          v.above_floor = r.above_floor(c);
        }
        if (!r.passed && rule.required_share >= 1) unit_failure(u, r, criteria, k, floor, all);
      });
      passed += kr.passed();
      judged_units += kr.units();
    }
    if (rule.required_share < 1 && judged_units > 0) {
      const double share = static_cast<double>(passed) / static_cast<double>(judged_units);
      if (share < rule.required_share)
        reason("units_passing_share", rule.group, std::nullopt, "", "", share, rule.required_share,
               "达标" + unit_noun_zh_ + "比例 " + percent(share) + " 低于要求的 " + percent(rule.required_share),
               "share of " + unit_noun_en_ + "s passing " + percent(share) + " is below the required " +
                   percent(rule.required_share));
    }
  }

  void unit_failure(const unit_slot& u, const rules::unit_result& r, const std::vector<rules::criterion>& criteria,
                    std::uint32_t k, double floor, bool all) {
    const auto st = *u.result.stage;
    const std::string head_zh = std::string(to_string(st)) + " " + zh_of(u.entity) + "：";
    const std::string head_en = stage_en(st) + " " + en_of(u.entity) + ": ";
    const auto n = static_cast<std::uint32_t>(criteria.size());
    if (!all && r.met_count < k) {
      const auto missing = r.missing.size();
      reason("unit_too_few_met", s_.unit_rule.group, st, "", u.result.entity, r.met_count, k,
             head_zh + std::to_string(n) + " 项指标中 " + std::to_string(r.met_count) + " 项达标，少于 " +
                 std::to_string(k) + " 项" + (missing ? "（其中 " + std::to_string(missing) + " 项缺少数据）" : ""),
             head_en + std::to_string(r.met_count) + " of " + std::to_string(n) + " indicators met, fewer than " +
                 std::to_string(k) + (missing ? " (" + std::to_string(missing) + " without data)" : ""));
    }
    for (auto c : r.below_floor) {
      if (r.is_missing(c)) continue; // reported as missing_values
      const auto& ind = s_.indicators[unit_inds_[judged_[c]]];
      const auto& cr = criteria[c];
      const double x = *u.values[judged_[c]];
      const bool higher = cr.comparator == comparator::ge || cr.comparator == comparator::gt;
      if (all) {
        reason("unit_not_met", s_.unit_rule.group, st, ind.id, u.result.entity, x, cr.threshold,
               head_zh + ind.name.zh + " " + show_in(x, ind.decimals, cr.threshold) + " 未达到标准 " +
                   std::string(to_string(cr.comparator)) + " " + show_in(cr.threshold, ind.decimals, x),
               head_en + name_en(ind) + " " + show_in(x, ind.decimals, cr.threshold) + " does not meet the standard " +
                   std::string(to_string(cr.comparator)) + " " + show_in(cr.threshold, ind.decimals, x));
      } else if (higher) {
        const double bar = floor * cr.threshold;
        reason("unit_below_floor", s_.unit_rule.group, st, ind.id, u.result.entity, x, bar,
               head_zh + ind.name.zh + " " + show_in(x, ind.decimals, bar) + " 低于标准 " +
                   show_in(cr.threshold, ind.decimals) + " 的 " + percent(floor) + "（" + show_in(bar, ind.decimals, x) +
                   "）",
               head_en + name_en(ind) + " " + show_in(x, ind.decimals, bar) + " is below " + percent(floor) +
                   " of the standard " + show_in(cr.threshold, ind.decimals) + " (" + show_in(bar, ind.decimals, x) +
                   ")");
      } else {
        const double bar = cr.threshold / floor;
        reason("unit_below_floor", s_.unit_rule.group, st, ind.id, u.result.entity, x, bar,
               head_zh + ind.name.zh + " " + show_in(x, ind.decimals, bar) + " 超过标准 " +
                   show_in(cr.threshold, ind.decimals) + " 的容许上限 " + show_in(bar, ind.decimals, x),
               head_en + name_en(ind) + " " + show_in(x, ind.decimals, bar) + " exceeds the tolerated " +
                   show_in(bar, ind.decimals, x) + " (standard " + show_in(cr.threshold, ind.decimals) + ", floor " +
                   percent(floor) + ")");
      }
    }
  }

  // --- across units ----------------------------------------------------------------------------

  rules::cv compute_cv(stage st, std::size_t j, rules::cv_weighting w) {
    rules::cv c(w);
    for_units(st, [&](unit_slot& u) {
      if (w == rules::cv_weighting::unweighted) {
        if (u.values[j])
          c(*u.values[j]);
        else
          c.missing();
        return;
      }
      const auto weight = u.weights[j] ? u.weights[j] : u.result.students;
      if (!weight) return; // reported as missing_students
      if (u.values[j])
        c(*u.values[j], *weight);
      else
        c.missing(*weight);
    });
    return c;
  }

  bool covers(const standard_across_rule& a, std::size_t j) const {
    return a.indicators.empty() ||
           std::find(a.indicators.begin(), a.indicators.end(), s_.indicators[unit_inds_[j]].id) != a.indicators.end();
  }

  void across_units() {
    for (auto st : s_.stages) {
      if (units_in(st) == 0) continue;
      for (std::size_t j = 0; j < unit_inds_.size(); ++j) {
        const auto& ind = s_.indicators[unit_inds_[j]];
        const standard_across_rule* each = nullptr;
        const standard_across_rule* composite = nullptr;
        for (const auto& a : s_.across_units) {
          if (!active(a.group) || !covers(a, j)) continue;
          if (a.kind == across_rule_kind::cv_each && !each) each = &a;
          if (a.kind == across_rule_kind::mean_of_cvs && !composite) composite = &a;
        }
        const auto weighting =
            each ? each->weighting : (composite ? composite->weighting : rules::cv_weighting::weighted);
        const auto c = compute_cv(st, j, weighting);
        standard_cv_result row;
        row.stage = st;
        row.indicator = ind.id;
        row.cv = c.value();
        row.mean = c.mean();
        row.units = c.count();
        row.missing_units = c.missing_count();
        row.weighting = weighting;
        if (each) {
          row.rule = each->id;
          row.limit = value_for(each->limits, st);
          if (!row.cv) {
            reason("cv_undefined", each->group, st, ind.id, "", std::nullopt, row.limit,
                   std::string(to_string(st)) + " " + ind.name.zh + " 差异系数无法计算（没有数据或均值为 0）",
                   stage_en(st) + " " + name_en(ind) +
                       ": the coefficient of variation is undefined (no values, or a mean of 0)");
          } else {
            row.passed = detail::meets(each->comparator, *row.cv, *row.limit);
            if (!*row.passed) {
              const bool le = each->comparator == comparator::le;
              reason("cv_above_limit", each->group, st, ind.id, "", row.cv, row.limit,
                     std::string(to_string(st)) + " " + ind.name.zh + " 差异系数 " + show_cv(*row.cv, *row.limit) +
                         (le ? " 超过 " : " 不低于 ") + show(*row.limit),
                     stage_en(st) + " " + name_en(ind) + ": coefficient of variation " + show_cv(*row.cv, *row.limit) +
                         (le ? " exceeds " : " is not below ") + show(*row.limit));
            }
          }
        }
        res_.cvs.push_back(std::move(row));
      }
      for (const auto& a : s_.across_units) {
        if (!active(a.group) || a.kind != across_rule_kind::mean_of_cvs) continue;
        standard_composite_result comp;
        comp.rule = a.id;
        comp.stage = st;
        comp.limit = value_for(a.limits, st);
        double sum = 0;
        std::size_t count = 0;
        std::vector<std::string> undefined;
        for (std::size_t j = 0; j < unit_inds_.size(); ++j) {
          if (!covers(a, j)) continue;
          const auto cv = compute_cv(st, j, a.weighting).value();
          if (cv) {
            sum += *cv;
            ++count;
          } else {
            undefined.push_back(s_.indicators[unit_inds_[j]].id);
          }
        }
        if (!undefined.empty() || count == 0) {
          reason("composite_undefined", a.group, st, "", "", std::nullopt, comp.limit,
                 std::string(to_string(st)) + " 综合差异系数无法计算：" + join_ids(undefined, "、") + " 的差异系数缺失",
                 stage_en(st) + ": the composite coefficient of variation is undefined: no CV for " +
                     join_ids(undefined, ", "));
        } else {
          comp.value = sum / static_cast<double>(count);
          comp.passed = detail::meets(a.comparator, *comp.value, *comp.limit);
          if (!*comp.passed) {
            const bool le = a.comparator == comparator::le;
            reason("composite_above_limit", a.group, st, "", "", comp.value, comp.limit,
                   std::string(to_string(st)) + " 综合差异系数 " + show_cv(*comp.value, *comp.limit) +
                       (le ? " 超过 " : " 不低于 ") + show(*comp.limit),
                   stage_en(st) + ": composite coefficient of variation " + show_cv(*comp.value, *comp.limit) +
                       (le ? " exceeds " : " is not below ") + show(*comp.limit));
          }
        }
        res_.composites.push_back(std::move(comp));
      }
    }
  }

  // --- county criteria -------------------------------------------------------------------------

  void district_criteria() {
    for (const auto& k : s_.district_criteria) {
      if (!active(k.group)) continue;
      const auto si = static_cast<std::size_t>(s_.find_indicator(k.indicator) - s_.indicators.data());
      const auto& ind = s_.indicators[si];
      standard_criterion_result cr;
      cr.id = k.id;
      cr.indicator = k.indicator;
      cr.comparator = k.comparator;
      cr.limit = k.value;
      if (const auto r = row_of(scope_, si)) {
        cr.value = value_of_row(*r);
        cr.entity = tree_[scope_].id;
      } else if (const auto from = stage_value(si)) {
        cr.value = value_of_row(from->second);
        cr.entity = tree_[from->first].id;
      }
      const std::string where = zh_of(scope_) + "，" + format_period(res_.period);
      const std::string where_en = en_of(scope_) + ", " + format_period(res_.period);
      if (!cr.value) {
        reason("criterion_missing", k.group, std::nullopt, ind.id, "", std::nullopt, k.value,
               "缺少“" + ind.name.zh + "”数据（" + where + "）" + (plan_of_[si] ? "" : "：规划中没有指标 " + ind.id),
               "no value for " + name_en(ind) + " (" + where_en + ")" +
                   (plan_of_[si] ? "" : ": the plan has no indicator " + ind.id));
      } else if (k.comparator == comparator::pass) {
        cr.passed = *cr.value != 0;
        if (!*cr.passed)
          reason("criterion_not_met", k.group, std::nullopt, ind.id, "", cr.value, std::nullopt,
                 ind.name.zh + "：未达到", name_en(ind) + ": not met");
      } else {
        cr.passed = detail::meets(k.comparator, *cr.value, *k.value);
        if (!*cr.passed) {
          std::string zh, en;
          switch (k.comparator) {
          case comparator::ge: zh = " 低于 ", en = " is below "; break;
          case comparator::gt: zh = " 未超过 ", en = " is not above "; break;
          case comparator::le: zh = " 超过 ", en = " exceeds "; break;
          default: zh = " 不低于 ", en = " is not below "; break;
          }
          reason("criterion_not_met", k.group, std::nullopt, ind.id, "", cr.value, k.value,
                 ind.name.zh + " " + show_in(*cr.value, ind.decimals, *k.value) + zh + show_in(*k.value, ind.decimals, *cr.value),
                 name_en(ind) + " " + show_in(*cr.value, ind.decimals, *k.value) + en +
                     show_in(*k.value, ind.decimals, *cr.value));
        }
      }
      res_.criteria.push_back(std::move(cr));
    }
  }

  /// A district-level value typed for the whole stage (the stage entity under the scope, e.g. a
  /// template's 学段合计 row) rather than for the county: used when exactly one stage entity under
  /// the scope whose stage the standard concerns has a row (several would be ambiguous).
  std::optional<std::pair<eidx, std::size_t>> stage_value(std::size_t si) const {
    std::optional<std::pair<eidx, std::size_t>> found;
    for (eidx c = 0; c < tree_.size(); ++c) {
      if (tree_[c].kind != entity_kind::stage || !tree_[c].stage || c == scope_ || !tree_.is_ancestor_or_self(scope_, c))
        continue;
      if (!s_.stages.empty() && std::find(s_.stages.begin(), s_.stages.end(), *tree_[c].stage) == s_.stages.end())
        continue;
      if (const auto r = row_of(c, si)) {
        if (found) return std::nullopt;
        found = std::pair{c, *r};
      }
    }
    return found;
  }

  void finish() {
    for (std::size_t i = 0; i < s_.groups.size(); ++i) {
      const auto& g = s_.groups[i];
      const bool ok = std::none_of(res_.reasons.begin(), res_.reasons.end(),
                                   [&](const standard_reason& r) { return r.group == g.id; });
      res_.groups.push_back({g.id, group_on_[i], group_on_[i] && ok});
    }
    for (auto& u : units_) res_.units.push_back(std::move(u.result));
    res_.passed = res_.reasons.empty(); // verdict_rule::all
  }

  const standard& s_;
  const plan& p_;
  const observation_view& obs_;
  const standard_options& opt_;
  const entity_tree& tree_;
  standard_result res_;
  eidx scope_ = 0;
  day_number lo_ = 0, hi_ = 0;
  std::vector<bool> group_on_;
  std::vector<std::optional<std::uint32_t>> plan_of_;     ///< plan indicator of each standard indicator
  std::vector<std::int32_t> std_of_plan_;                 ///< standard indicator of each plan indicator, or -1
  std::unordered_map<std::uint64_t, std::size_t> latest_; ///< (entity, standard indicator) -> row
  std::vector<std::size_t> unit_inds_;                    ///< standard indices of the unit-level indicators
  std::vector<std::size_t> judged_;                       ///< positions in unit_inds_ of those with thresholds
  std::vector<unit_slot> units_;
  bool judge_ = false, units_active_ = false, needs_students_ = false;
  std::string unit_group_, unit_noun_zh_, unit_noun_en_;
};

} // namespace

standard_result evaluate_standard(const standard& s, const plan& p, const observation_view& obs,
                                  const standard_options& options) {
  if (auto errs = check_standard(s); !errs.empty()) throw standard_error(std::move(errs));
  require_plan(p, obs, "evaluate_standard");
  if (!obs.derived) {
    // the plan derives some of the standard's indicators (or what they are computed from); an
    // empty list would mean every indicator to derive(), so it is not asked
    std::vector<std::uint32_t> wanted;
    for (const auto& si : s.indicators)
      if (auto i = p.find_indicator(si.id)) wanted.push_back(*i);
    if (!wanted.empty() && needs_derive(p, wanted)) {
      const auto d = derive(p, obs, wanted, true, /*keep_sides=*/false);
      return evaluator(s, p, d.table.view(), options).run();
    }
  }
  return evaluator(s, p, obs, options).run();
}

} // namespace planeval
