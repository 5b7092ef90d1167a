// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Standards: checking a standard read or built (references, ranges, stages), before any use.

#include <planeval/standard.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "json_reader.hpp"
#include "standard_detail.hpp"

namespace planeval {

using detail::comparator_list;
using detail::stage_list;
using json_reading::quoted;
using json_reading::reader;

namespace {

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

class checker {
public:
  std::vector<diagnostic> errors;
  void fail(std::string path, std::string msg) { errors.push_back({severity::error, std::move(path), std::move(msg)}); }

  void id(const std::string& path, const std::string& value) {
    if (value.empty())
      fail(path, "expected a non-empty id");
    else if (!is_valid_id(value))
      fail(path, "expected an id (" + std::string(id_rule) + "), got " + quoted(value));
  }
  void unique(std::set<std::string>& seen, const std::string& path, const std::string& value, std::string_view what) {
    if (!value.empty() && !seen.insert(value).second)
      fail(path, "duplicate " + std::string(what) + " " + quoted(value));
  }
};

constexpr bool is_unit_comparator(comparator c) noexcept {
  return c == comparator::ge || c == comparator::gt || c == comparator::le || c == comparator::lt;
}

/// Every stage of the standard has one positive number, and there is no other.
void check_stage_values(checker& c, const std::string& path, const stage_values& v, const std::vector<stage>& stages,
                        std::string_view noun) {
  std::set<stage> seen;
  for (const auto& [st, x] : v) {
    const auto p = reader::join(path, to_string(st));
    if (std::find(stages.begin(), stages.end(), st) == stages.end())
      c.fail(p, "stage " + quoted(to_string(st)) + " is not one of the standard's stages (" + stage_list(stages) + ")");
    if (!seen.insert(st).second)
      c.fail(p, "duplicate " + std::string(noun) + " for stage " + std::string(to_string(st)));
    if (!(std::isfinite(x) && x > 0))
      c.fail(p, "expected a " + std::string(noun) + " > 0, got " + detail::format_number(x));
  }
  for (auto st : stages)
    if (!seen.count(st))
      c.fail(reader::join(path, to_string(st)), "missing " + std::string(noun) + " for stage " +
                                                    std::string(to_string(st)) + " (the standard's stages are " +
                                                    stage_list(stages) + ")");
}

} // namespace

const standard_split* standard::find_split(std::vector<stage> stage_set) const {
  std::sort(stage_set.begin(), stage_set.end());
  for (const auto& sp : combined_schools) {
    auto st = sp.stages;
    std::sort(st.begin(), st.end());
    if (st == stage_set) return &sp;
  }
  return nullptr;
}

std::vector<diagnostic> check_standard(const standard& s) {
  checker c;
  c.id("id", s.id);
  if (s.title.zh.empty()) c.fail("title.zh", "expected non-empty Chinese text");
  if (s.document.jurisdiction.empty()) c.fail("document.jurisdiction", "expected \"national\" or a province or region");
  if (!parse_date(s.document.date, date_role::start))
    c.fail("document.date", "expected a date (YYYY-MM-DD, YYYY-MM or YYYY), got " + quoted(s.document.date));
  if (!s.based_on.empty()) c.id("based_on", s.based_on);
  if (s.stages.empty()) c.fail("stages", "expected at least one stage");
  {
    std::set<stage> seen;
    for (std::size_t i = 0; i < s.stages.size(); ++i)
      if (!seen.insert(s.stages[i]).second)
        c.fail(reader::at("stages", i), "duplicate stage " + quoted(to_string(s.stages[i])));
  }
  const bool district_level = s.units.level == unit_level::district;
  if (district_level && !s.units.entity_kinds.empty())
    c.fail("units.entity_kinds", "a district-level standard has no units: leave entity_kinds out");
  if (!district_level && s.units.entity_kinds.empty())
    c.fail("units.entity_kinds", "expected the entity kinds that are units (\"school\", \"teaching_point\" ...)");

  std::set<std::string> group_ids;
  for (std::size_t i = 0; i < s.groups.size(); ++i) {
    const auto p = reader::at("groups", i);
    c.id(p + ".id", s.groups[i].id);
    c.unique(group_ids, p + ".id", s.groups[i].id, "group id");
    if (s.groups[i].name.zh.empty()) c.fail(p + ".name.zh", "expected non-empty Chinese text");
  }
  auto check_group = [&](const std::string& path, const std::string& g) {
    if (s.groups.empty()) {
      if (!g.empty()) c.fail(path, "the standard declares no groups; leave \"group\" out or declare it in \"groups\"");
    } else if (g.empty()) {
      c.fail(path, "expected the id of one of the standard's groups");
    } else if (!group_ids.count(g)) {
      c.fail(path, "unknown group " + quoted(g));
    }
  };

  std::set<std::string> ind_ids;
  std::size_t judged = 0; // unit-level indicators with thresholds
  std::size_t unit_level_count = 0;
  for (std::size_t i = 0; i < s.indicators.size(); ++i) {
    const auto& ind = s.indicators[i];
    const auto p = reader::at("indicators", i);
    c.id(p + ".id", ind.id);
    c.unique(ind_ids, p + ".id", ind.id, "indicator id");
    if (ind.name.zh.empty()) c.fail(p + ".name.zh", "expected non-empty Chinese text");
    if (ind.unit.empty()) c.fail(p + ".unit", "expected a non-empty unit (%, ㎡/生, 人/百名学生 ...)");
    if (ind.decimals && (*ind.decimals < 0 || *ind.decimals > 12))
      c.fail(p + ".decimals", "expected an integer from 0 to 12");
    check_group(p + ".group", ind.group);
    if (ind.level == indicator_level::unit) {
      ++unit_level_count;
      if (district_level) c.fail(p + ".level", "a district-level standard has no unit-level indicators");
      if (ind.kind == value_kind::boolean || ind.kind == value_kind::shares)
        c.fail(p + ".kind", "a unit-level indicator takes numbers: expected count, amount, rate or ratio");
      if (ind.comparator && !is_unit_comparator(*ind.comparator))
        c.fail(p + ".comparator",
               "expected one of " + comparator_list({comparator::ge, comparator::gt, comparator::le, comparator::lt}));
      if (ind.comparator && ind.thresholds.empty())
        c.fail(p + ".thresholds", "expected a threshold for every stage (" + stage_list(s.stages) + ")");
      if (!ind.comparator && !ind.thresholds.empty())
        c.fail(p + ".comparator", "expected the comparator of the thresholds");
      if (!ind.thresholds.empty()) {
        check_stage_values(c, p + ".thresholds", ind.thresholds, s.stages, "threshold");
        ++judged;
      }
    } else {
      if (ind.comparator || !ind.thresholds.empty())
        c.fail(p + ".thresholds",
               "a district-level indicator has no thresholds: put the requirement in district_criteria");
      if (ind.split_combined) c.fail(p + ".split_combined", "only unit-level indicators are split");
    }
  }

  const auto& u = s.unit_rule;
  if (u.kind != unit_rule_kind::none) {
    check_group("unit_rule.group", u.group);
    if (district_level) c.fail("unit_rule.kind", "a district-level standard has no per-unit rule");
    if (judged == 0) c.fail("unit_rule", "the per-unit rule needs unit-level indicators with thresholds");
    if (u.kind == unit_rule_kind::k_of_n) {
      if (u.k > judged)
        c.fail("unit_rule.k", "expected at most the number of indicators with thresholds (" + std::to_string(judged) +
                                  "), got " + std::to_string(u.k));
      if (!(u.floor > 0 && u.floor <= 1))
        c.fail("unit_rule.floor", "expected a share in (0, 1], got " + detail::format_number(u.floor));
    }
    if (!(u.required_share > 0 && u.required_share <= 1))
      c.fail("unit_rule.required_share", "expected a share in (0, 1], got " + detail::format_number(u.required_share));
  }

  std::set<std::string> rule_ids;
  for (std::size_t i = 0; i < s.across_units.size(); ++i) {
    const auto& a = s.across_units[i];
    const auto p = reader::at("across_units", i);
    c.id(p + ".id", a.id);
    c.unique(rule_ids, p + ".id", a.id, "rule id");
    check_group(p + ".group", a.group);
    if (district_level) c.fail(p, "a district-level standard has no rules across units");
    if (a.comparator != comparator::le && a.comparator != comparator::lt)
      c.fail(p + ".comparator", "expected one of " + comparator_list({comparator::le, comparator::lt}));
    check_stage_values(c, p + ".limits", a.limits, s.stages, "limit");
    for (std::size_t k = 0; k < a.indicators.size(); ++k) {
      const auto* ind = s.find_indicator(a.indicators[k]);
      if (!ind)
        c.fail(reader::at(p + ".indicators", k), "unknown indicator " + quoted(a.indicators[k]));
      else if (ind->level != indicator_level::unit)
        c.fail(reader::at(p + ".indicators", k), "expected a unit-level indicator, got " + quoted(a.indicators[k]));
    }
    if (unit_level_count == 0 && !district_level) c.fail(p, "the rule needs unit-level indicators");
  }

  std::set<std::string> crit_ids;
  for (std::size_t i = 0; i < s.district_criteria.size(); ++i) {
    const auto& k = s.district_criteria[i];
    const auto p = reader::at("district_criteria", i);
    c.id(p + ".id", k.id);
    c.unique(crit_ids, p + ".id", k.id, "criterion id");
    check_group(p + ".group", k.group);
    const auto* ind = s.find_indicator(k.indicator);
    if (!ind) {
      c.fail(p + ".indicator", "unknown indicator " + quoted(k.indicator));
    } else if (ind->level != indicator_level::district) {
      c.fail(p + ".indicator", "expected a district-level indicator, got " + quoted(k.indicator));
    } else if ((k.comparator == comparator::pass) != (ind->kind == value_kind::boolean)) {
      c.fail(p + ".comparator", k.comparator == comparator::pass ? "\"pass\" needs a boolean indicator"
                                                                 : "a boolean indicator is judged with \"pass\"");
    }
    if (k.comparator == comparator::pass) {
      if (k.value) c.fail(p + ".value", "\"pass\" takes no value");
    } else if (!k.value) {
      c.fail(p + ".value", "expected the value to compare with");
    } else if (!std::isfinite(*k.value)) {
      c.fail(p + ".value", "expected a finite number");
    }
    if (!detail::is_threshold_comparator(k.comparator) && k.comparator != comparator::pass)
      c.fail(p + ".comparator", "expected one of " + comparator_list({comparator::ge, comparator::gt, comparator::le,
                                                                      comparator::lt, comparator::pass}));
    if (k.comparator == comparator::eq) c.fail(p + ".comparator", "\"=\" is not a criterion comparator");
  }

  std::set<std::string> excl_ids;
  for (std::size_t i = 0; i < s.exclusions.size(); ++i) {
    const auto& e = s.exclusions[i];
    const auto p = reader::at("exclusions", i);
    c.id(p + ".id", e.id);
    c.unique(excl_ids, p + ".id", e.id, "exclusion id");
    if (district_level) c.fail(p, "a district-level standard has no units to exclude");
    if (e.description.zh.empty()) c.fail(p + ".description.zh", "expected non-empty Chinese text");
    for (std::size_t k = 0; k < e.entity_kinds.size(); ++k)
      if (std::find(s.units.entity_kinds.begin(), s.units.entity_kinds.end(), e.entity_kinds[k]) ==
          s.units.entity_kinds.end())
        c.fail(reader::at(p + ".entity_kinds", k),
               quoted(to_string(e.entity_kinds[k])) + " is not one of the units' entity kinds");
    if (e.kind == exclusion_kind::students_below) {
      if (!(std::isfinite(e.students) && e.students > 0))
        c.fail(p + ".students", "expected a number of students > 0, got " + detail::format_number(e.students));
      if (!e.patterns.empty()) c.fail(p + ".patterns", "patterns belong to a name_contains exclusion");
    } else {
      if (e.patterns.empty()) c.fail(p + ".patterns", "expected at least one name pattern");
      if (e.students != 0) c.fail(p + ".students", "students belongs to a students_below exclusion");
    }
  }

  std::set<std::vector<stage>> split_sets;
  for (std::size_t i = 0; i < s.combined_schools.size(); ++i) {
    const auto& sp = s.combined_schools[i];
    const auto p = reader::at("combined_schools", i);
    std::set<stage> st(sp.stages.begin(), sp.stages.end());
    if (sp.stages.size() < 2 || st.size() != sp.stages.size())
      c.fail(p + ".stages", "expected at least two different stages");
    if (sp.weights.size() != sp.stages.size())
      c.fail(p + ".weights", "expected one weight per stage (" + std::to_string(sp.stages.size()) + "), got " +
                                 std::to_string(sp.weights.size()));
    for (std::size_t k = 0; k < sp.weights.size(); ++k)
      if (!(std::isfinite(sp.weights[k]) && sp.weights[k] > 0))
        c.fail(reader::at(p + ".weights", k), "expected a weight > 0, got " + detail::format_number(sp.weights[k]));
    if (!split_sets.insert(std::vector<stage>(st.begin(), st.end())).second)
      c.fail(p + ".stages", "another entry has the same stages");
  }
  return std::move(c.errors);
}

} // namespace planeval
