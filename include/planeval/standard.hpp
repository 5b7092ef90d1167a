// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
#pragma once
/// \file standard.hpp
/// Official standards as data: the county evaluation rules (督导评估办法) a district passes or fails,
/// read from JSON files (standards/*.json, schema/standard.schema.json), and their evaluation
/// against a plan's observations.
///
/// Design notes: every threshold, limit, floor, weight and exclusion is data with its document,
/// jurisdiction, date and evidence tag (F found / C corroborated / R recalled): national and
/// provincial bars differ, so a provincial standard is the same file with other numbers. The
/// evaluator only combines existing rules — rules::k_of_n for the per-unit standard ("6 of 7, the
/// rest at 85%"), rules::cv for the student-weighted 差异系数 — and reports every reason a district
/// fails as a structured item, missing data included: a value that is not there never counts as
/// zero or as met.
///
/// Data conventions of evaluate_standard:
/// - Units are the entities strictly below the scope whose kind is one of the standard's unit
///   kinds; a unit's stage is its own `stage` or its nearest ancestor's. Units of other stages
///   (a 高中 school for a compulsory standard) are not units of the standard.
/// - A unit's value for an indicator is its row in the period (end date inside the period); with
///   several rows, the one with the latest end date (then the later row). The weight column is
///   the students of the row; without a weight column, the entity's `students`.
/// - A unit's students (for exclusions and the report) are the weight of its latest row among the
///   standard's indicators, else the entity's `students`. Each CV observes a row with its own weight.
/// - A 一贯制 school / 完全中学 is a unit-kind entity without a stage (and without a staged
///   ancestor) whose children of kind `stage` carry each part's `stage` and `students`. The parts
///   become units of their stages. For an indicator marked split_combined, a part without its own
///   row takes its share of the school's row: the school's value is per student over all parts'
///   students, total = value × ΣP, and the part's value is split_combined_school(total, P, w)[s]
///   / P_s with the standard's weights for that set of stages. Other indicators (teachers) must be
///   given per part.

#include <planeval/calendar.hpp>
#include <planeval/detail/enum_names.hpp>
#include <planeval/entity.hpp>
#include <planeval/error.hpp>
#include <planeval/indicator.hpp>
#include <planeval/observations.hpp>
#include <planeval/plan.hpp>
#include <planeval/rules/cv.hpp>
#include <planeval/target.hpp>
#include <planeval/text.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace planeval {

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

/// How well a number or rule is attested (planeval domain notes): found in a published source,
/// corroborated by secondary sources only, or recalled from a method whose text was not at hand.
enum class evidence_tag : std::uint8_t { found, corroborated, recalled };
inline constexpr detail::name_table<evidence_tag, 3> evidence_tag_names{{
    {evidence_tag::found, "F"},
    {evidence_tag::corroborated, "C"},
    {evidence_tag::recalled, "R"},
}};
/// "F", "C" or "R".
inline std::string_view to_string(evidence_tag t) noexcept { return detail::name_of(evidence_tag_names, t); }

/// The evidence of an item: one tag for all of it ("F"), and/or tags of single keys
/// ({"k": "F", "floor": "C"}; the key "*" is `all`).
struct evidence {
  std::optional<evidence_tag> all;
  std::vector<std::pair<std::string, evidence_tag>> parts;

  /// The tag of key `key`: its own, else `all`; nullopt if neither is given.
  std::optional<evidence_tag> of(std::string_view key) const noexcept {
    for (const auto& [k, t] : parts)
      if (k == key) return t;
    return all;
  }
  friend bool operator==(const evidence&, const evidence&) = default;
};

/// The document a standard encodes.
struct standard_document {
  std::string number;               ///< 文号, e.g. 教督〔2017〕6号
  std::string issuer;               ///< e.g. 教育部
  std::string jurisdiction;         ///< "national", or the province / region for a provincial standard
  std::string date;                 ///< as known: "YYYY", "YYYY-MM" or "YYYY-MM-DD"
  std::vector<std::string> sources; ///< addresses of the published text or reports of it
  planeval::evidence evidence;
  std::string notes;
  friend bool operator==(const standard_document&, const standard_document&) = default;
};

/// A group of requirements (资源配置, 政府保障程度 ...); a standard with groups puts every
/// indicator, rule and criterion in one, and standard_options::groups can evaluate a subset.
struct standard_group {
  std::string id;
  text name;
  planeval::evidence evidence;
  std::string notes;
  friend bool operator==(const standard_group&, const standard_group&) = default;
};

/// What the standard judges one by one.
enum class unit_level : std::uint8_t {
  school,       ///< schools (and teaching points ...): per-unit standards and between-school CVs
  kindergarten, ///< kindergartens, likewise
  district      ///< no units: county-level criteria only
};
inline constexpr detail::name_table<unit_level, 3> unit_level_names{{
    {unit_level::school, "school"},
    {unit_level::kindergarten, "kindergarten"},
    {unit_level::district, "district"},
}};
inline std::string_view to_string(unit_level l) noexcept { return detail::name_of(unit_level_names, l); }

/// The units of a standard.
struct standard_units {
  unit_level level = unit_level::school;
  std::vector<entity_kind> entity_kinds; ///< entity kinds that are units (empty for level district)
  planeval::evidence evidence;
  std::string notes;
  friend bool operator==(const standard_units&, const standard_units&) = default;
};

/// Whether an indicator is measured per unit (school) or once for the county.
enum class indicator_level : std::uint8_t { unit, district };
inline constexpr detail::name_table<indicator_level, 2> indicator_level_names{{
    {indicator_level::unit, "unit"},
    {indicator_level::district, "district"},
}};
inline std::string_view to_string(indicator_level l) noexcept { return detail::name_of(indicator_level_names, l); }

/// One number per stage (thresholds, limits), in the order written.
using stage_values = std::vector<std::pair<stage, double>>;

/// The number for stage `s`, if any.
inline std::optional<double> value_for(const stage_values& v, stage s) noexcept {
  for (const auto& [st, x] : v)
    if (st == s) return x;
  return std::nullopt;
}

/// An indicator of a standard.
struct standard_indicator {
  std::string id;
  text name;
  std::string unit;
  value_kind kind = value_kind::ratio;
  planeval::direction direction = direction::increase;
  indicator_level level = indicator_level::unit;
  std::optional<int> decimals;
  std::optional<text> definition; ///< how the per-unit value is computed
  /// Unit level with a per-unit standard: >=, >, <= or <, and one threshold per stage.
  std::optional<planeval::comparator> comparator;
  stage_values thresholds;
  bool split_combined = false; ///< a 一贯制 school's value is split by student weights
  std::string group;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_indicator&, const standard_indicator&) = default;
};

/// The per-unit rule.
enum class unit_rule_kind : std::uint8_t {
  none,   ///< units are not judged one by one
  k_of_n, ///< at least k of the indicators met, every other one at least floor × its threshold
  all     ///< every indicator met
};
inline constexpr detail::name_table<unit_rule_kind, 3> unit_rule_kind_names{{
    {unit_rule_kind::none, "none"},
    {unit_rule_kind::k_of_n, "k_of_n"},
    {unit_rule_kind::all, "all"},
}};
inline std::string_view to_string(unit_rule_kind k) noexcept { return detail::name_of(unit_rule_kind_names, k); }

/// How each unit is judged against the indicators with thresholds (rules::k_of_n).
struct standard_unit_rule {
  unit_rule_kind kind = unit_rule_kind::none;
  std::uint32_t k = 0;       ///< k_of_n: criteria that must be met
  double floor = 1.0;        ///< k_of_n: share of the threshold every unmet criterion must reach
  double required_share = 1; ///< share of the units that must pass (1: every unit)
  std::string group;
  std::optional<text> description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_unit_rule&, const standard_unit_rule&) = default;
};

/// A rule across the units of a stage.
enum class across_rule_kind : std::uint8_t {
  cv_each,    ///< each indicator's CV (差异系数) within the stage's limit
  mean_of_cvs ///< the mean of the indicators' CVs (综合差异系数) within the stage's limit
};
inline constexpr detail::name_table<across_rule_kind, 2> across_rule_kind_names{{
    {across_rule_kind::cv_each, "cv_each"},
    {across_rule_kind::mean_of_cvs, "mean_of_cvs"},
}};
inline std::string_view to_string(across_rule_kind k) noexcept { return detail::name_of(across_rule_kind_names, k); }

/// A between-unit rule, per stage.
struct standard_across_rule {
  std::string id;
  across_rule_kind kind = across_rule_kind::cv_each;
  rules::cv_weighting weighting = rules::cv_weighting::weighted;
  planeval::comparator comparator = comparator::le; ///< <= or <
  stage_values limits;
  std::vector<std::string> indicators; ///< unit-level indicator ids (empty: all of them)
  std::string group;
  std::optional<text> description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_across_rule&, const standard_across_rule&) = default;
};

/// A county-level requirement on a district-level indicator.
struct standard_criterion {
  std::string id;
  std::string indicator;                            ///< a district-level indicator of the standard
  planeval::comparator comparator = comparator::ge; ///< >=, >, <=, < or pass (value true / nonzero)
  std::optional<double> value;                      ///< not for pass
  std::string group;
  std::optional<text> description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_criterion&, const standard_criterion&) = default;
};

/// How an exclusion recognises the units it removes.
enum class exclusion_kind : std::uint8_t {
  students_below, ///< units (of the listed kinds) with fewer than `students` students
  name_contains   ///< units whose Chinese name contains one of `patterns`
};
inline constexpr detail::name_table<exclusion_kind, 2> exclusion_kind_names{{
    {exclusion_kind::students_below, "students_below"},
    {exclusion_kind::name_contains, "name_contains"},
}};
inline std::string_view to_string(exclusion_kind k) noexcept { return detail::name_of(exclusion_kind_names, k); }

/// Units the standard leaves out (special-education schools, small teaching points).
struct standard_exclusion {
  std::string id;
  exclusion_kind kind = exclusion_kind::students_below;
  std::vector<entity_kind> entity_kinds; ///< only units of these kinds (empty: every unit)
  double students = 0;                   ///< students_below
  std::vector<std::string> patterns;     ///< name_contains
  text description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_exclusion&, const standard_exclusion&) = default;
};

/// Student weights that split a combined school's resources between its stages.
struct standard_split {
  std::vector<stage> stages;   ///< e.g. 小学, 初中
  std::vector<double> weights; ///< e.g. 1, 1.1 (one per stage, > 0)
  std::optional<text> description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_split&, const standard_split&) = default;
};

/// How the verdict combines the rules. Format version 1 knows one: every rule and criterion
/// evaluated must hold (and the data must be complete).
enum class verdict_rule : std::uint8_t { all };
inline constexpr detail::name_table<verdict_rule, 1> verdict_rule_names{{{verdict_rule::all, "all"}}};
inline std::string_view to_string(verdict_rule r) noexcept { return detail::name_of(verdict_rule_names, r); }

/// The verdict rule with its evidence.
struct standard_verdict {
  verdict_rule rule = verdict_rule::all;
  std::optional<text> description;
  planeval::evidence evidence;
  std::vector<std::string> sources;
  std::string notes;
  friend bool operator==(const standard_verdict&, const standard_verdict&) = default;
};

/// An official (or user-written provincial) evaluation standard.
struct standard {
  std::string id;
  text title;
  standard_document document;
  std::string based_on;      ///< id of the standard this one adapts (e.g. a provincial version)
  std::vector<stage> stages; ///< stages with thresholds and limits
  standard_units units;
  std::vector<standard_group> groups;
  std::vector<standard_indicator> indicators;
  standard_unit_rule unit_rule;
  std::vector<standard_across_rule> across_units;
  std::vector<standard_criterion> district_criteria;
  std::vector<standard_exclusion> exclusions;
  std::vector<standard_split> combined_schools;
  standard_verdict verdict;
  std::vector<std::string> notes;

  /// The indicator with this id, or nullptr.
  const standard_indicator* find_indicator(std::string_view indicator_id) const noexcept {
    for (const auto& i : indicators)
      if (i.id == indicator_id) return &i;
    return nullptr;
  }
  /// The split weights for exactly this set of stages (any order), or nullptr.
  const standard_split* find_split(std::vector<stage> stage_set) const;

  friend bool operator==(const standard&, const standard&) = default;
};

/// An invalid standard: every problem found, located by file and JSON path
/// ("standards/x.json: indicators[2].thresholds.小学: expected a number, got \"4,2\"").
class standard_error : public error {
public:
  explicit standard_error(std::vector<diagnostic> errors) : error(summarise(errors)), errors_(std::move(errors)) {}

  /// Every error found (at least one).
  const std::vector<diagnostic>& errors() const noexcept { return errors_; }

private:
  static std::string summarise(const std::vector<diagnostic>& errors) {
    if (errors.empty()) return "invalid standard";
    std::string s = errors.front().to_string();
    if (errors.size() > 1)
      s += " (and " + std::to_string(errors.size() - 1) + " more error" + (errors.size() > 2 ? "s" : "") + ")";
    return s;
  }
  std::vector<diagnostic> errors_;
};

// ---------------------------------------------------------------------------------------------
// Reading, built-in standards
// ---------------------------------------------------------------------------------------------

/// Every problem of a standard built in code (references, coverage of stages, ranges), located
/// by JSON path ("indicators[0].thresholds.初中"). Empty if it is valid.
std::vector<diagnostic> check_standard(const standard& s);

/// Parse a standard from JSON text (format "planeval-standard", version 1). `source_name` (a
/// file name) prefixes every location. Throws standard_error listing every problem.
standard parse_standard(std::string_view json_text, std::string_view source_name = {});

/// Read a standard file (UTF-8, with or without BOM). Throws standard_error.
standard load_standard(const std::string& path);

/// Ids of the standards compiled into the library (sorted): basic_balance_2012,
/// compulsory_quality_balance_2017, preschool_universal_inclusive_2020.
std::vector<std::string> builtin_standard_ids();

/// The JSON text of a built-in standard. Throws planeval::error naming the known ids.
std::string_view builtin_standard_json(std::string_view id);

/// A built-in standard, parsed. Throws planeval::error naming the known ids.
standard builtin_standard(std::string_view id);

/// The standard a target of `p` names: the plan's own (`standards[]`), else the built-in one.
/// Throws standard_error (an unknown id) like builtin_standard().
standard standard_for(const plan& p, std::string_view id);

/// Add the standard's indicators that the plan lacks (by id), so observations of them can be
/// read; returns the ids added. Indicators already in the plan are left as they are.
std::vector<std::string> add_standard_indicators(plan& p, const standard& s);

/// Split a combined school's `total` resource between its stages by student weights:
/// share_s = total × w_s·P_s / Σ_j w_j·P_j (`students` P and `weights` w, one per stage).
/// Throws planeval::error on different sizes, negative or non-finite inputs, or Σ w_j·P_j = 0.
std::vector<double> split_combined_school(double total, std::span<const double> students,
                                          std::span<const double> weights);

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

/// What to evaluate.
struct standard_options {
  /// The county: an entity id; empty: the plan's first entity of kind district.
  std::string scope;
  /// Required: the observations whose end date falls in it are used. A calendar year
  /// (period::calendar_year(2023)), a school year (period::school_year(2022)), the year around a
  /// date (calendar_year_of(d), school_year_of(d)), or any custom period.
  std::optional<planeval::period> period;
  /// Standard indicator id -> plan indicator id, where they differ (default: the same id).
  std::map<std::string, std::string> indicators;
  /// Evaluate only these groups (empty: all); the verdict then covers them only.
  std::vector<std::string> groups;
  /// Units to leave out, with the reason (entity id -> why), e.g. a special-education school whose
  /// name does not say so.
  std::map<std::string, std::string> excluded;
};

/// One indicator of one unit.
struct standard_unit_value {
  std::string indicator;           ///< standard indicator id
  std::optional<double> value;     ///< nullopt: missing
  std::optional<double> threshold; ///< the stage's threshold, if the indicator has one
  std::optional<double> ratio;     ///< value / threshold
  bool met = false;                ///< value meets the threshold
  bool above_floor = false;        ///< met, or reaches floor × threshold
  bool missing = true;             ///< no value in the period
  bool split = false;              ///< derived from the combined school's row by student weights
  friend bool operator==(const standard_unit_value&, const standard_unit_value&) = default;
};

/// One unit (school, teaching point, a part of a combined school).
struct standard_unit_result {
  std::string entity;          ///< entity id
  std::string combined_school; ///< for a part of a 一贯制 school: that school's id
  std::optional<planeval::stage> stage;
  std::optional<double> students;
  bool excluded = false;
  std::string exclusion;                   ///< exclusion id ("small_teaching_point", "option", "no_stage" ...)
  text excluded_because;                   ///< why, in words
  std::optional<bool> passed;              ///< the per-unit rule; nullopt if excluded or there is none
  std::uint32_t met_count = 0;             ///< indicators met
  std::vector<standard_unit_value> values; ///< one per unit-level indicator, in standard order
  friend bool operator==(const standard_unit_result&, const standard_unit_result&) = default;
};

/// The CV (差异系数) of one indicator across the units of one stage.
struct standard_cv_result {
  planeval::stage stage = stage::primary;
  std::string indicator;
  std::optional<double> cv;        ///< nullopt if undefined (no values, mean 0)
  std::optional<double> mean;      ///< x̄ (county total ÷ county students when weighted)
  std::uint64_t units = 0;         ///< units with a value
  std::uint64_t missing_units = 0; ///< units without one (left out of the CV)
  rules::cv_weighting weighting = rules::cv_weighting::weighted;
  std::string rule; ///< the cv_each rule judging it (empty: none)
  std::optional<double> limit;
  std::optional<bool> passed; ///< nullopt without a limit or without a CV
  friend bool operator==(const standard_cv_result&, const standard_cv_result&) = default;
};

/// The mean of CVs (综合差异系数) of one stage.
struct standard_composite_result {
  std::string rule;
  planeval::stage stage = stage::primary;
  std::optional<double> value; ///< nullopt if any of its CVs is undefined
  std::optional<double> limit;
  std::optional<bool> passed;
  friend bool operator==(const standard_composite_result&, const standard_composite_result&) = default;
};

/// One county-level criterion.
struct standard_criterion_result {
  std::string id;
  std::string indicator;
  planeval::comparator comparator = comparator::ge;
  std::optional<double> value; ///< nullopt: missing
  std::optional<double> limit; ///< nullopt for pass
  std::optional<bool> passed;  ///< nullopt: missing
  /// The entity the value was read from: the scope, or (when the scope has none) the one entity
  /// of kind stage under it whose stage the standard concerns (a template's 学段合计 row).
  std::string entity;
  friend bool operator==(const standard_criterion_result&, const standard_criterion_result&) = default;
};

/// A group's outcome.
struct standard_group_result {
  std::string id;
  bool evaluated = true;
  bool passed = false; ///< no reason in this group (meaningful when evaluated)
  friend bool operator==(const standard_group_result&, const standard_group_result&) = default;
};

/// One reason the district fails. Codes: unit_without_stage, missing_students, missing_split_weights,
/// missing_values, no_units, unit_too_few_met, unit_below_floor, unit_not_met (rule "all"),
/// units_passing_share, cv_above_limit, cv_undefined, composite_above_limit, composite_undefined,
/// criterion_not_met, criterion_missing.
struct standard_reason {
  std::string code;
  std::string group;
  std::optional<planeval::stage> stage;
  std::string indicator;       ///< standard indicator id (or empty)
  std::string unit;            ///< entity id (or empty)
  std::optional<double> value; ///< the offending value (a count for missing_values)
  std::optional<double> limit; ///< what it had to reach
  std::string message_zh;
  std::string message_en;
  friend bool operator==(const standard_reason&, const standard_reason&) = default;
};

/// The outcome of evaluating a standard for one county and period.
struct standard_result {
  std::string standard; ///< standard id
  std::string scope;    ///< entity id
  planeval::period period;
  bool passed = false; ///< the verdict: no reason at all
  std::vector<standard_group_result> groups;
  std::vector<standard_unit_result> units; ///< in plan entity order
  std::vector<standard_cv_result> cvs;     ///< stage × indicator, stages in standard order
  std::vector<standard_composite_result> composites;
  std::vector<standard_criterion_result> criteria;
  std::vector<standard_reason> reasons; ///< every reason it fails

  /// The unit for `entity` (a part of a combined school by its own id), or nullptr.
  const standard_unit_result* unit(std::string_view entity) const noexcept {
    for (const auto& u : units)
      if (u.entity == entity) return &u;
    return nullptr;
  }
  /// The CV row for (stage, indicator), or nullptr.
  const standard_cv_result* cv(planeval::stage s, std::string_view indicator) const noexcept {
    for (const auto& c : cvs)
      if (c.stage == s && c.indicator == indicator) return &c;
    return nullptr;
  }
  /// The criterion result with this id, or nullptr.
  const standard_criterion_result* criterion(std::string_view id) const noexcept {
    for (const auto& c : criteria)
      if (c.id == id) return &c;
    return nullptr;
  }
};

/// Evaluate `s` for a county of `p` with observations `obs` (plan indices; see the data
/// conventions at the top of this header). Throws standard_error for an invalid standard,
/// planeval::error for unusable options (no period, unknown scope, group or indicator id) and
/// data_error for rows with indices outside the plan.
standard_result evaluate_standard(const standard& s, const plan& p, const observation_view& obs,
                                  const standard_options& options);

} // namespace planeval
