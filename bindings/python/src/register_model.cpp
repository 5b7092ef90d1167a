// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The plan's value types: Text, Source, Document, Indicator, Entity, Phase, Point, Goal, Target,
// Observation, Conflict, Note.

#include <planeval/entity.hpp>
#include <planeval/indicator.hpp>
#include <planeval/phase.hpp>
#include <planeval/target.hpp>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

using opt_string = std::optional<std::string>;

void register_texts(py::module_& m) {
  value_class<text> t(m, "Text", "Chinese text with an optional English rendering.", {"zh"}, {"en"});
  def_property_pickle(t);
  t.def(py::init([](std::string zh, std::string en) {
          return text{std::move(zh), std::move(en)};
        }),
        py::arg("zh"), py::arg("en") = "");
  t.def_readwrite("zh", &text::zh, "Chinese text (required, verbatim from the source)");
  t.def_readwrite("en", &text::en, "English rendering (may be empty)");
  t.def(
      "in_language", [](const text& x, std::string_view lang) { return x.in(lang_arg(lang, "Text.in_language")); }, py::arg("lang"),
      "The text in 'zh' or 'en', falling back to Chinese when no English is given");

  value_class<source_ref> s(m, "Source", "Where an item comes from in the source document.", {"phrase"}, {"section"});
  def_property_pickle(s);
  s.def(py::init([](std::string phrase, std::string section) {
          return source_ref{std::move(phrase), std::move(section)};
        }),
        py::arg("phrase"), py::arg("section") = "");
  s.def_readwrite("phrase", &source_ref::phrase, "The phrase of the source, verbatim");
  s.def_readwrite("section", &source_ref::section, "Section of the source, e.g. '第三章 主要任务'");

  value_class<document_ref> d(m, "Document", "A source document (the plan text itself).", {"title"},
                              {"file", "issuer", "url"});
  def_property_pickle(d);
  d.def(py::init([](std::string title, std::string file, std::string issuer, std::string url) {
          return document_ref{std::move(title), std::move(file), std::move(issuer), std::move(url)};
        }),
        py::arg("title"), py::kw_only(), py::arg("file") = "", py::arg("issuer") = "", py::arg("url") = "");
  d.def_readwrite("title", &document_ref::title);
  d.def_readwrite("file", &document_ref::file);
  d.def_readwrite("issuer", &document_ref::issuer);
  d.def_readwrite("url", &document_ref::url);
}

std::vector<stage> parse_stages(const std::vector<std::string>& names) {
  std::vector<stage> out;
  out.reserve(names.size());
  for (const auto& s : names) out.push_back(parse_enum(stage_names, s, "stages"));
  return out;
}

std::vector<std::string> stage_list(const std::vector<stage>& stages) {
  std::vector<std::string> out;
  out.reserve(stages.size());
  for (auto s : stages) out.push_back(enum_name(stage_names, s));
  return out;
}

void register_indicator(py::module_& m) {
  value_class<indicator> c(m, "Indicator", "An indicator: what is measured, in which unit, of which kind.",
                           {"id", "name_zh", "unit", "kind", "direction"},
                           {"name_en", "decimals", "stages", "domain", "obligation", "parent", "tags", "definition",
                            "share_labels", "across_entities", "across_time", "weight_by", "unit_en", "source", "expression",
                            "numerator", "denominator", "factor", "missing"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::string name_zh, std::string unit, std::string_view kind, std::string_view dir,
                    std::string name_en, std::optional<int> decimals, const std::vector<std::string>& stages,
                    std::string domain, std::vector<std::string> tags, std::optional<text> definition,
                    std::vector<std::string> share_labels, const opt_string& across_entities,
                    const opt_string& across_time, std::optional<source_ref> source, const opt_string& expression,
                    const opt_string& numerator, const opt_string& denominator, std::optional<double> factor,
                    const opt_string& missing, const opt_string& obligation_name, std::string parent,
                    std::string weight_by, std::string unit_en) {
          indicator i;
          i.unit_en = std::move(unit_en);
          i.weight_by = std::move(weight_by);
          i.obligation = parse_enum_or(obligation_names, obligation_name, "obligation", obligation::unspecified);
          i.parent = std::move(parent);
          i.id = std::move(id);
          i.name = {std::move(name_zh), std::move(name_en)};
          i.unit = std::move(unit);
          i.kind = parse_enum(value_kind_names, kind, "kind");
          i.direction = parse_enum(direction_names, dir, "direction");
          i.decimals = decimals;
          i.stages = parse_stages(stages);
          i.domain = std::move(domain);
          i.tags = std::move(tags);
          i.definition = std::move(definition);
          i.share_labels = std::move(share_labels);
          i.across_entities =
              parse_enum_or(entity_rule_names, across_entities, "across_entities", entity_rule::unspecified);
          i.across_time = parse_enum_or(time_rule_names, across_time, "across_time", time_rule::unspecified);
          i.source = std::move(source);
          if (expression || numerator || denominator) {
            indicator_formula f;
            f.expression = expression.value_or("");
            f.numerator = numerator.value_or("");
            f.denominator = denominator.value_or("");
            f.factor = factor.value_or(1.0);
            if (missing) {
              const auto mp = rules::parse_missing_policy(*missing);
              if (!mp)
                throw plan_error("missing", "expected one of " + detail::alternatives(rules::missing_policy_names) +
                                                " (or DHIS2's skip_if_any_value_missing, skip_if_all_values_missing), "
                                                "got \"" +
                                                *missing + "\"");
              f.missing = *mp;
            }
            i.formula = std::move(f);
          } else if (factor || missing) {
            throw plan_error(factor ? "factor" : "missing",
                             "only a derived indicator (with an expression or a numerator) takes it");
          }
          return i;
        }),
        py::arg("id"), py::arg("name_zh"), py::arg("unit"), py::arg("kind"), py::arg("direction") = "increase",
        py::kw_only(), py::arg("name_en") = "", py::arg("decimals") = py::none(),
        py::arg("stages") = std::vector<std::string>{}, py::arg("domain") = "",
        py::arg("tags") = std::vector<std::string>{}, py::arg("definition") = py::none(),
        py::arg("share_labels") = std::vector<std::string>{}, py::arg("across_entities") = py::none(),
        py::arg("across_time") = py::none(), py::arg("source") = py::none(), py::arg("expression") = py::none(),
        py::arg("numerator") = py::none(), py::arg("denominator") = py::none(), py::arg("factor") = py::none(),
        py::arg("missing") = py::none(), py::arg("obligation") = py::none(), py::arg("parent") = "", py::arg("weight_by") = "",
        py::arg("unit_en") = "");
  c.def_readwrite("id", &indicator::id, "Identifier: letters or digits of any script, _ . -");
  def_text(c, "name", &indicator::name, "Name: Chinese verbatim from the source, English beside it");
  c.def_readwrite("unit", &indicator::unit, "人, %, 所, 门, 个, 亿元, ㎡, 元, ratio, boolean ...");
  c.def_readwrite("unit_en", &indicator::unit_en,
                  "The unit in English as the plan gives it ('teachers' for 人), or '' (planeval's table then)");
  def_enum(c, "kind", &indicator::kind, value_kind_names, "'count', 'amount', 'rate', 'ratio', 'boolean' or 'shares'");
  def_enum(c, "direction", &indicator::direction, direction_names,
           "Which way is better: 'increase', 'decrease', 'maintain' or 'band'");
  c.def_readwrite("decimals", &indicator::decimals, "Display precision, or None");
  c.def_property(
      "stages", [](const indicator& i) { return stage_list(i.stages); },
      [](indicator& i, const std::vector<std::string>& s) { i.stages = parse_stages(s); },
      "Stages concerned ('幼儿园', '小学', '初中', '高中'); empty: not stage-specific (a copy)");
  c.def_readwrite("domain", &indicator::domain, "Id of a domain the plan declares (Plan.domains), or ''");
  def_enum_or_none(c, "obligation", &indicator::obligation, obligation_names, obligation::unspecified,
                   "'binding' (约束性), 'expected' (预期性) or None");
  c.def_readwrite("parent", &indicator::parent, "Id of the indicator this one is part of (其中), or ''");
  c.def_readwrite("tags", &indicator::tags, "Free tags (a copy)");
  c.def_readwrite("definition", &indicator::definition, "Numerator/denominator in words, or None");
  c.def_readwrite("share_labels", &indicator::share_labels, "For shares: component labels (a copy)");
  def_enum_or_none(c, "across_entities", &indicator::across_entities, entity_rule_names, entity_rule::unspecified,
                   "How values combine across entities ('sum', 'mean', ...), or None");
  def_enum_or_none(c, "across_time", &indicator::across_time, time_rule_names, time_rule::unspecified,
                   "How values combine across periods ('sum', 'last', ...), or None");
  c.def_readwrite("weight_by", &indicator::weight_by,
                  "What weighs each unit in a weighted roll-up: 'students', 'units' (each unit once) or the id\n"
                  "of a count indicator (the denominator); '' means students");
  c.def_readwrite("source", &indicator::source, "Source reference, or None");
  // the formula of a derived indicator (None for an observed one); set through the constructor
  auto formula_text = [](std::string indicator_formula::*field) {
    return [field](const indicator& i) -> std::optional<std::string> {
      if (!i.formula || ((*i.formula).*field).empty()) return std::nullopt;
      return (*i.formula).*field;
    };
  };
  c.def_property_readonly("expression", formula_text(&indicator_formula::expression),
                          "Formula of a derived indicator over the same entity and period ('#{a} + #{b}'), or None");
  c.def_property_readonly("numerator", formula_text(&indicator_formula::numerator),
                          "Numerator of a derived ratio (summed over entities before dividing), or None");
  c.def_property_readonly("denominator", formula_text(&indicator_formula::denominator),
                          "Denominator of a derived ratio, or None");
  c.def_property_readonly(
      "factor",
      [](const indicator& i) -> std::optional<double> {
        if (!i.formula || !i.formula->is_ratio()) return std::nullopt;
        return i.formula->factor;
      },
      "Factor of a derived ratio (100 for percentages), or None");
  c.def_property_readonly(
      "missing",
      [](const indicator& i) -> std::optional<std::string> {
        if (!i.formula) return std::nullopt;
        return std::string(to_string(i.formula->missing));
      },
      "Missing-value strategy of a derived indicator ('skip_if_any_missing', 'skip_if_all_missing', "
      "'never_skip'), or None");
  c.def_property_readonly("is_derived", &indicator::is_derived, "True for a derived indicator (with a formula)");
  c.def_property_readonly("is_numeric", &indicator::is_numeric, "True for count, amount, rate and ratio");
  c.def_property_readonly("is_percentage", &indicator::is_percentage, "True when the unit is '%'");
}

void register_domain(py::module_& m) {
  value_class<domain> c(m, "Domain", "A domain of the plan's vocabulary (教育普及, 教师队伍 ...).", {"id", "name_zh"},
                        {"name_en"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::string name_zh, std::string name_en) {
          return domain{std::move(id), {std::move(name_zh), std::move(name_en)}};
        }),
        py::arg("id"), py::arg("name_zh"), py::kw_only(), py::arg("name_en") = "");
  c.def_readwrite("id", &domain::id, "Identifier (indicators' `domain`)");
  def_text(c, "name", &domain::name, "Name: Chinese, English beside it");
}

void register_constant(py::module_& m) {
  value_class<constant> c(m, "Constant", "A plan constant, referenced in formulas as C{id}.",
                          {"id", "name_zh", "value"}, {"name_en", "source"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::string name_zh, double value, std::string name_en,
                    std::optional<source_ref> source) {
          constant k;
          k.id = std::move(id);
          k.name = {std::move(name_zh), std::move(name_en)};
          k.value = value;
          k.source = std::move(source);
          return k;
        }),
        py::arg("id"), py::arg("name_zh"), py::arg("value"), py::kw_only(), py::arg("name_en") = "",
        py::arg("source") = py::none());
  c.def_readwrite("id", &constant::id, "Identifier: letters or digits of any script, _ . -");
  def_text(c, "name", &constant::name, "Name: Chinese, English beside it");
  c.def_readwrite("value", &constant::value, "The value (finite)");
  c.def_readwrite("source", &constant::source, "Source reference, or None");
}

void register_entity(py::module_& m) {
  value_class<entity> c(m, "Entity", "A node of the entity tree: district, stage, school...", {"id", "name_zh", "kind"},
                        {"parent", "name_en", "stage", "ownership", "students"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::string name_zh, std::string_view kind, std::string parent, std::string name_en,
                    const opt_string& stg, const opt_string& own, std::optional<double> students) {
          entity e;
          e.id = std::move(id);
          e.name = {std::move(name_zh), std::move(name_en)};
          e.kind = parse_enum(entity_kind_names, kind, "kind");
          e.parent = std::move(parent);
          e.stage = parse_optional_enum(stage_names, stg, "stage");
          e.ownership = parse_optional_enum(ownership_names, own, "ownership");
          e.students = students;
          return e;
        }),
        py::arg("id"), py::arg("name_zh"), py::arg("kind"), py::arg("parent") = "", py::kw_only(),
        py::arg("name_en") = "", py::arg("stage") = py::none(), py::arg("ownership") = py::none(),
        py::arg("students") = py::none());
  c.def_readwrite("id", &entity::id);
  def_text(c, "name", &entity::name, "Name");
  def_enum(c, "kind", &entity::kind, entity_kind_names, "'district', 'stage', 'school', ...");
  c.def_readwrite("parent", &entity::parent, "Id of the parent; '' for a root");
  def_enum(c, "stage", &entity::stage, stage_names, "'幼儿园', '小学', '初中', '高中' or None");
  def_enum(c, "ownership", &entity::ownership, ownership_names, "'公办', '民办' or None");
  c.def_readwrite("students", &entity::students, "Enrolment (weight of student-weighted rules), or None");
}

void register_phase(py::module_& m) {
  value_class<phase> c(m, "Phase", "A phase of the plan; start and end are both inclusive.",
                       {"id", "name_zh", "start", "end"}, {"name_en", "source"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::string name_zh, date start, date end, std::string name_en,
                    std::optional<source_ref> source) {
          return phase{std::move(id), {std::move(name_zh), std::move(name_en)}, start, end, std::move(source)};
        }),
        py::arg("id"), py::arg("name_zh"), py::arg("start"), py::arg("end"), py::kw_only(), py::arg("name_en") = "",
        py::arg("source") = py::none());
  c.def_readwrite("id", &phase::id);
  def_text(c, "name", &phase::name, "Name (第一阶段 ...)");
  c.def_readwrite("start", &phase::start, "First day (inclusive)");
  c.def_readwrite("end", &phase::end, "Last day (inclusive)");
  c.def_readwrite("source", &phase::source, "Source reference, or None");
  c.def("contains", &phase::contains, py::arg("day"), "True if the day lies in the phase");
  c.def_property_readonly("period", &phase::period, "The phase as a custom Period");
}

void register_target(py::module_& m) {
  value_class<point> pt(m, "Point", "A dated value (baseline, milestone).", {"date", "value"}, {"source"});
  def_property_pickle(pt);
  pt.def(py::init([](date day, value v, std::optional<source_ref> source) {
           return point{day, std::move(v), std::move(source)};
         }),
         py::arg("date"), py::arg("value"), py::arg("source") = py::none());
  pt.def_readwrite("date", &point::date);
  pt.def_readwrite("value", &point::value, "None (missing), float, bool or list[float]");
  pt.def_readwrite("source", &point::source, "Source reference, or None");

  value_class<goal> g(m, "Goal", "What a target must reach, and by when.", {"comparator", "value"},
                      {"deadline", "deadline_basis", "tolerance", "from_", "cumulative", "relative_to",
                       "relative_indicator"});
  def_property_pickle(g);
  g.def(py::init([](std::string_view comp, value v, std::optional<date> deadline, std::string_view basis,
                    std::optional<double> tolerance, std::optional<date> from, bool cumulative,
                    const opt_string& relative_to, std::string relative_indicator) {
          goal x;
          x.cumulative = cumulative;
          if (relative_to) x.relative_to = relative_ref{*relative_to, std::move(relative_indicator), 0, 0};
          else if (!relative_indicator.empty())
            throw plan_error("relative_indicator", "expected relative_to (the reference entity) with it");
          x.comparator = parse_enum(comparator_names, comp, "comparator");
          x.value = std::move(v);
          x.deadline = deadline.value_or(date(boost::gregorian::not_a_date_time));
          x.deadline_basis = parse_enum(deadline_basis_names, basis, "deadline_basis");
          x.tolerance = tolerance;
          x.from = from;
          return x;
        }),
        py::arg("comparator"), py::arg("value") = py::none(), py::kw_only(), py::arg("deadline") = py::none(),
        py::arg("deadline_basis") = "stated", py::arg("tolerance") = py::none(), py::arg("from_") = py::none(),
        py::arg("cumulative") = false, py::arg("relative_to") = py::none(), py::arg("relative_indicator") = "");
  def_enum(g, "comparator", &goal::comparator, comparator_names,
           "'>=', '>', '<=', '<', '=', 'between', 'pass', 'increase', 'decrease', 'non_decreasing' or "
           "'strictly_increasing'");
  g.def_readwrite("value", &goal::value, "Goal value: a number, [lo, hi] for 'between', a share vector, or None");
  g.def_property(
      "deadline", [](const goal& x) { return x.deadline; },
      [](goal& x, std::optional<date> d) { x.deadline = d.value_or(date(boost::gregorian::not_a_date_time)); },
      "Deadline; None until a plan fills in an assumed deadline (the horizon end)");
  def_enum(g, "deadline_basis", &goal::deadline_basis, deadline_basis_names,
           "'stated', 'phase', 'plan_period' or 'assumed'");
  g.def_property_readonly(
      "deadline_assumed", [](const goal& x) { return x.deadline_basis == deadline_basis::assumed; },
      "True when the source states no deadline and the horizon end is assumed");
  g.def_readwrite("tolerance", &goal::tolerance, "For '=': absolute, or percentage points for shares; or None");
  g.def_readwrite("from_", &goal::from, "The goal must hold at every observation from this date on; or None");
  g.def_readwrite("cumulative", &goal::cumulative,
                  "True: the value judged is the running total of yearly values from the horizon start (or from_)");
  g.def_property(
      "relative_to",
      [](const goal& x) -> std::optional<std::string> {
        if (!x.relative_to) return std::nullopt;
        return x.relative_to->entity;
      },
      [](goal& x, const opt_string& e) {
        if (!e) {
          x.relative_to.reset();
        } else if (x.relative_to) {
          x.relative_to->entity = *e;
        } else {
          x.relative_to = relative_ref{*e, "", 0, 0};
        }
      },
      "Entity id whose value of the same year is the goal value (不低于全省平均), or None");
  g.def_property_readonly(
      "relative_indicator",
      [](const goal& x) -> std::string { return x.relative_to ? x.relative_to->indicator : std::string(); },
      "For a relative goal: the reference's indicator id ('' for the target's own)");

  value_class<target> t(m, "Target", "A target: an indicator at a scope, a goal with a deadline, milestones.",
                        {"id", "indicator", "scope", "goal"},
                        {"baseline", "milestones", "phase", "standard", "qualitative", "name", "notes", "obligation"});
  def_property_pickle(
      t,
      [](const target& x, py::dict& state) {
        state["_indicator_index"] = x.indicator_index;
        state["_scope_index"] = x.scope_index;
        state["_phase_index"] = x.phase_index;
      },
      [](target& x, const py::dict& state) {
        if (state.contains("_indicator_index")) x.indicator_index = state["_indicator_index"].cast<std::uint32_t>();
        if (state.contains("_scope_index")) x.scope_index = state["_scope_index"].cast<std::uint32_t>();
        if (state.contains("_phase_index"))
          x.phase_index = state["_phase_index"].cast<std::optional<std::uint32_t>>();
      });
  t.def(py::init([](std::string id, std::string ind, std::string scope, goal gl, source_ref source,
                    std::optional<point> baseline, std::vector<point> milestones, std::string ph, std::string standard,
                    std::optional<bool> qualitative, std::optional<text> name, std::string notes,
                    const opt_string& obligation_name) {
          target x;
          x.obligation = parse_enum_or(obligation_names, obligation_name, "obligation", obligation::unspecified);
          x.id = std::move(id);
          x.indicator = std::move(ind);
          x.scope = std::move(scope);
          x.goal = std::move(gl);
          x.source = std::move(source);
          x.baseline = std::move(baseline);
          x.milestones = std::move(milestones);
          x.phase = std::move(ph);
          x.standard = std::move(standard);
          x.qualitative = qualitative;
          x.name = std::move(name);
          x.notes = std::move(notes);
          return x;
        }),
        py::arg("id"), py::arg("indicator"), py::arg("scope"), py::arg("goal"), py::arg("source"), py::kw_only(),
        py::arg("baseline") = py::none(), py::arg("milestones") = std::vector<point>{}, py::arg("phase") = "",
        py::arg("standard") = "", py::arg("qualitative") = py::none(), py::arg("name") = py::none(),
        py::arg("notes") = "", py::arg("obligation") = py::none());
  t.def_readwrite("id", &target::id);
  t.def_readwrite("name", &target::name, "Optional name (Text)");
  t.def_readwrite("indicator", &target::indicator, "Indicator id");
  t.def_readwrite("scope", &target::scope, "Entity id");
  t.def_readwrite("baseline", &target::baseline, "Baseline Point, or None");
  t.def_readwrite("goal", &target::goal);
  t.def_readwrite("milestones", &target::milestones, "Interim values, sorted by date (a copy)");
  t.def_readwrite("phase", &target::phase, "Phase id ('' for none)");
  t.def_readwrite("standard", &target::standard, "Id of an official standard this milestone is judged by");
  t.def_readwrite("qualitative", &target::qualitative, "Judged from a reported result; or None");
  def_enum_or_none(t, "obligation", &target::obligation, obligation_names, obligation::unspecified,
                   "'binding' (约束性), 'expected' (预期性) or None (then the indicator's applies)");
  t.def_readwrite("source", &target::source);
  t.def_readwrite("notes", &target::notes);
  t.def_readonly("indicator_index", &target::indicator_index, "Index of the indicator (set by Plan.add_target)");
  t.def_readonly("scope_index", &target::scope_index, "Index of the scope entity (set by Plan.add_target)");
  t.def_readonly("phase_index", &target::phase_index, "Index of the phase, or None (set by Plan.add_target)");
}

void register_observation(py::module_& m) {
  value_class<recorded_observation> c(m, "Observation",
                                      "A value recorded in the plan itself (historical figures), for a date or "
                                      "a period.",
                                      {"id", "indicator", "entity", "value"},
                                      {"date", "period", "qualifier", "source", "notes"});
  def_property_pickle(
      c,
      [](const recorded_observation& x, py::dict& state) {
        state["_indicator_index"] = x.indicator_index;
        state["_entity_index"] = x.entity_index;
      },
      [](recorded_observation& x, const py::dict& state) {
        if (state.contains("_indicator_index")) x.indicator_index = state["_indicator_index"].cast<std::uint32_t>();
        if (state.contains("_entity_index")) x.entity_index = state["_entity_index"].cast<std::uint32_t>();
      });
  c.def(py::init([](std::string id, std::string ind, std::string ent, value v, std::optional<date> day,
                    std::optional<period> per, const opt_string& qual, std::optional<source_ref> source,
                    std::string notes) {
          if (day.has_value() == per.has_value())
            throw plan_error(day ? "period" : "date", "expected either a date or a period, not both or neither");
          recorded_observation o;
          o.id = std::move(id);
          o.indicator = std::move(ind);
          o.entity = std::move(ent);
          o.dated = day.has_value();
          o.period = day ? period{*day, *day, period_kind::custom} : *per;
          o.value = std::move(v);
          o.qualifier = parse_optional_enum(qualifier_names, qual, "qualifier");
          o.source = std::move(source);
          o.notes = std::move(notes);
          return o;
        }),
        py::arg("id"), py::arg("indicator"), py::arg("entity"), py::arg("value"), py::kw_only(),
        py::arg("date") = py::none(), py::arg("period") = py::none(), py::arg("qualifier") = py::none(),
        py::arg("source") = py::none(), py::arg("notes") = "");
  c.def_readwrite("id", &recorded_observation::id);
  c.def_readwrite("indicator", &recorded_observation::indicator, "Indicator id");
  c.def_readwrite("entity", &recorded_observation::entity, "Entity id");
  c.def_property(
      "date",
      [](const recorded_observation& o) -> std::optional<date> {
        if (!o.dated) return std::nullopt;
        return o.period.end;
      },
      [](recorded_observation& o, date day) {
        o.period = {day, day, period_kind::custom};
        o.dated = true;
      },
      "The day of a dated observation, or None for one recorded for a period");
  c.def_property(
      "period",
      [](const recorded_observation& o) -> std::optional<period> {
        if (o.dated) return std::nullopt;
        return o.period;
      },
      [](recorded_observation& o, const period& per) {
        o.period = per;
        o.dated = false;
      },
      "The period of the observation, or None for a dated one");
  c.def_readwrite("dated", &recorded_observation::dated, "True if written as a date, False if as a period");
  c.def_property_readonly(
      "covered", [](const recorded_observation& o) { return o.period; },
      "The days covered: the period, or the day itself for a dated observation");
  c.def_readwrite("value", &recorded_observation::value, "None (missing), float, bool or list[float]");
  def_enum(c, "qualifier", &recorded_observation::qualifier, qualifier_names,
           "A bound the source states instead of an exact figure: '=', '>=', '>', '<=', '<', 'approx' or None");
  c.def_readwrite("source", &recorded_observation::source, "Source reference, or None");
  c.def_readwrite("notes", &recorded_observation::notes);
  c.def_readonly("indicator_index", &recorded_observation::indicator_index, "Set by Plan.add_observation");
  c.def_readonly("entity_index", &recorded_observation::entity_index, "Set by Plan.add_observation");
}

void register_remarks(py::module_& m) {
  value_class<conflict> c(m, "Conflict", "A contradiction in the source, kept rather than silently resolved.",
                          {"id", "items", "description_zh"}, {"description_en"});
  def_property_pickle(c);
  c.def(py::init([](std::string id, std::vector<std::string> items, std::string zh, std::string en) {
          return conflict{std::move(id), std::move(items), {std::move(zh), std::move(en)}};
        }),
        py::arg("id"), py::arg("items"), py::arg("description_zh"), py::kw_only(), py::arg("description_en") = "");
  c.def_readwrite("id", &conflict::id);
  c.def_readwrite("items", &conflict::items, "Ids of the targets, observations or notes that disagree (a copy)");
  def_text(c, "description", &conflict::description, "What disagrees");

  value_class<note> n(m, "Note", "A remark about the source that the format cannot express as a target.",
                      {"id", "text_zh"}, {"text_en", "source"});
  def_property_pickle(n);
  n.def(py::init([](std::string id, std::string zh, std::string en, std::optional<source_ref> source) {
          return note{std::move(id), {std::move(zh), std::move(en)}, std::move(source)};
        }),
        py::arg("id"), py::arg("text_zh"), py::kw_only(), py::arg("text_en") = "", py::arg("source") = py::none());
  n.def_readwrite("id", &note::id);
  def_text(n, "text", &note::text, "The remark");
  n.def_readwrite("source", &note::source, "Source reference, or None");
}

} // namespace

void register_model(py::module_& m) {
  register_texts(m);
  register_indicator(m);
  register_domain(m);
  register_constant(m);
  register_entity(m);
  register_phase(m);
  register_target(m);
  register_observation(m);
  register_remarks(m);
}

} // namespace planeval::python
