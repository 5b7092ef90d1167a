// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Official standards (督导评估办法) as data: Standard, StandardError, builtin/load/parse_standard,
// Plan.add_standard_indicators, split_combined_school, evaluate_standard, StandardResult and
// StandardReason.
//
// Design notes:
// - A Standard is read-only from Python: it comes from a file, a string or the built-in files, and
//   a provincial variant is another file. Its parts are returned as plain dicts and lists shaped
//   like the JSON file (keys as in standards/README.md; Chinese/English text as {"zh", "en"};
//   evidence as "F" or {"key": "F", "*": "C"}; per-stage numbers as {"小学": 4.2}), so they can be
//   printed, compared and dumped to JSON without planeval types.
// - The result's parts are likewise lists of dicts (units, cvs, composites, criteria, groups); the
//   pandas frames are built from them in planeval/_frames.py. Only the reasons are objects
//   (StandardReason), because they are what callers read one by one.
// - standard_states / StandardPartial: evaluate_standard in parts (standard_partial.hpp), with the
//   same arguments and GIL release; the partial pickles as its versioned bytes (read back without
//   the plan: finalise checks the plan and the standard).
// - evaluate_standard releases the GIL under the same conditions as Plan.rollup: observations
//   that own their data, and the plan registered with plan_read_guard. The Standard cannot change
//   meanwhile: it has no mutators in Python, and the call's argument keeps it alive.

#include <planeval/detail/format_number.hpp>
#include <planeval/standard.hpp>
#include <planeval/standard_partial.hpp>

#include <pybind11/stl/filesystem.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <ios>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

PYBIND11_CONSTINIT py::gil_safe_call_once_and_store<py::object> standard_error_type;

/// standard_error -> StandardError carrying `.errors`; other exceptions go on to the translators
/// registered before this one (register_errors.cpp).
void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const standard_error& e) {
    const py::object& type = standard_error_type.get_stored();
    py::object instance = type(py_text(e.what()));
    instance.attr("errors") = py::cast(py_diagnostics(e.errors()));
    PyErr_SetObject(type.ptr(), instance.ptr());
  }
}

std::string_view checked_lang(std::string_view lang) { return lang_arg(lang, "lang"); }

// --- the standard as dicts -----------------------------------------------------------------------

py::dict text_dict(const text& t) {
  py::dict d;
  d["zh"] = t.zh;
  d["en"] = t.en;
  return d;
}

py::object optional_text(const std::optional<text>& t) {
  if (!t) return py::none();
  return text_dict(*t);
}

/// None, "F", or {"*": "F", "floor": "C"} as in the file.
py::object evidence_object(const evidence& e) {
  if (e.parts.empty()) {
    if (!e.all) return py::none();
    return py::str(std::string(to_string(*e.all)));
  }
  py::dict d;
  if (e.all) d["*"] = std::string(to_string(*e.all));
  for (const auto& [key, tag] : e.parts) d[py::str(key)] = std::string(to_string(tag));
  return d;
}

/// {"小学": 4.2, "初中": 5.3}, in the order written.
py::dict stage_values_dict(const stage_values& v) {
  py::dict d;
  for (const auto& [s, x] : v) d[py::str(enum_name(stage_names, s))] = x;
  return d;
}

std::vector<std::string> stage_list(const std::vector<stage>& stages) {
  std::vector<std::string> out;
  for (const auto s : stages) out.push_back(enum_name(stage_names, s));
  return out;
}

std::vector<std::string> kind_list(const std::vector<entity_kind>& kinds) {
  std::vector<std::string> out;
  for (const auto k : kinds) out.push_back(enum_name(entity_kind_names, k));
  return out;
}

/// The keys every rule-like object shares: description, evidence, sources, notes.
template <class T>
void add_provenance(py::dict& d, const T& x) {
  d["description"] = optional_text(x.description);
  d["evidence"] = evidence_object(x.evidence);
  d["sources"] = x.sources;
  d["notes"] = x.notes;
}

py::dict document_dict(const standard_document& doc) {
  py::dict d;
  d["number"] = doc.number;
  d["issuer"] = doc.issuer;
  d["jurisdiction"] = doc.jurisdiction;
  d["date"] = doc.date;
  d["sources"] = doc.sources;
  d["evidence"] = evidence_object(doc.evidence);
  d["notes"] = doc.notes;
  return d;
}

py::dict units_dict(const standard_units& u) {
  py::dict d;
  d["level"] = enum_name(unit_level_names, u.level);
  d["entity_kinds"] = kind_list(u.entity_kinds);
  d["evidence"] = evidence_object(u.evidence);
  d["notes"] = u.notes;
  return d;
}

py::list groups_list(const std::vector<standard_group>& groups) {
  py::list out;
  for (const auto& g : groups) {
    py::dict d;
    d["id"] = g.id;
    d["name"] = text_dict(g.name);
    d["evidence"] = evidence_object(g.evidence);
    d["notes"] = g.notes;
    out.append(std::move(d));
  }
  return out;
}

py::list indicators_list(const std::vector<standard_indicator>& indicators) {
  py::list out;
  for (const auto& i : indicators) {
    py::dict d;
    d["id"] = i.id;
    d["name"] = text_dict(i.name);
    d["unit"] = i.unit;
    d["kind"] = enum_name(value_kind_names, i.kind);
    d["direction"] = enum_name(direction_names, i.direction);
    d["level"] = enum_name(indicator_level_names, i.level);
    d["decimals"] = i.decimals;
    d["definition"] = optional_text(i.definition);
    d["comparator"] = optional_enum_name(comparator_names, i.comparator);
    d["thresholds"] = stage_values_dict(i.thresholds);
    d["split_combined"] = i.split_combined;
    d["group"] = i.group;
    d["evidence"] = evidence_object(i.evidence);
    d["sources"] = i.sources;
    d["notes"] = i.notes;
    out.append(std::move(d));
  }
  return out;
}

py::dict unit_rule_dict(const standard_unit_rule& r) {
  py::dict d;
  d["kind"] = enum_name(unit_rule_kind_names, r.kind);
  d["k"] = r.k;
  d["floor"] = r.floor;
  d["required_share"] = r.required_share;
  d["group"] = r.group;
  add_provenance(d, r);
  return d;
}

py::list across_list(const std::vector<standard_across_rule>& rules_) {
  py::list out;
  for (const auto& r : rules_) {
    py::dict d;
    d["id"] = r.id;
    d["kind"] = enum_name(across_rule_kind_names, r.kind);
    d["weighting"] = enum_name(rules::cv_weighting_names, r.weighting);
    d["comparator"] = enum_name(comparator_names, r.comparator);
    d["limits"] = stage_values_dict(r.limits);
    d["indicators"] = r.indicators;
    d["group"] = r.group;
    add_provenance(d, r);
    out.append(std::move(d));
  }
  return out;
}

py::list criteria_list(const std::vector<standard_criterion>& criteria) {
  py::list out;
  for (const auto& c : criteria) {
    py::dict d;
    d["id"] = c.id;
    d["indicator"] = c.indicator;
    d["comparator"] = enum_name(comparator_names, c.comparator);
    d["value"] = c.value;
    d["group"] = c.group;
    add_provenance(d, c);
    out.append(std::move(d));
  }
  return out;
}

py::list exclusions_list(const std::vector<standard_exclusion>& exclusions) {
  py::list out;
  for (const auto& x : exclusions) {
    py::dict d;
    d["id"] = x.id;
    d["kind"] = enum_name(exclusion_kind_names, x.kind);
    d["entity_kinds"] = kind_list(x.entity_kinds);
    if (x.kind == exclusion_kind::students_below)
      d["students"] = x.students;
    else
      d["patterns"] = x.patterns;
    d["description"] = text_dict(x.description);
    d["evidence"] = evidence_object(x.evidence);
    d["sources"] = x.sources;
    d["notes"] = x.notes;
    out.append(std::move(d));
  }
  return out;
}

py::list splits_list(const std::vector<standard_split>& splits) {
  py::list out;
  for (const auto& s : splits) {
    py::dict d;
    d["stages"] = stage_list(s.stages);
    d["weights"] = s.weights;
    add_provenance(d, s);
    out.append(std::move(d));
  }
  return out;
}

py::dict verdict_dict(const standard_verdict& v) {
  py::dict d;
  d["rule"] = enum_name(verdict_rule_names, v.rule);
  add_provenance(d, v);
  return d;
}

std::string standard_repr(const standard& s) {
  std::size_t unit_level_count = 0;
  for (const auto& i : s.indicators)
    if (i.level == indicator_level::unit) ++unit_level_count;
  std::string r = "<Standard " + s.id + ": ";
  const bool by_district = unit_level_count == 0 && !s.indicators.empty();
  const std::size_t n = by_district ? s.indicators.size() : unit_level_count;
  r += std::to_string(n) + (by_district ? " district indicator" : " unit indicator") + (n == 1 ? "" : "s");
  r += ", ";
  for (std::size_t i = 0; i < s.stages.size(); ++i) r += (i ? "/" : "") + enum_name(stage_names, s.stages[i]);
  return r + ">";
}

// --- evaluation ----------------------------------------------------------------------------------

/// The period option (period_arg): a Period as is; a year (int or "2023") as the calendar year; a
/// school year "2023-2024" / "2023/24"; a date (datetime.date, datetime64, Timestamp) as its calendar year.
period period_option(py::handle h) { return period_arg(h, "evaluate_standard: period"); }

standard_options make_options(py::handle period_arg, std::optional<std::string> scope,
                              std::optional<std::map<std::string, std::string>> indicators,
                              std::optional<std::vector<std::string>> groups,
                              std::optional<std::map<std::string, std::string>> excluded) {
  standard_options o;
  o.period = period_option(period_arg);
  if (scope) o.scope = std::move(*scope);
  if (indicators) o.indicators = std::move(*indicators);
  if (groups) o.groups = std::move(*groups);
  if (excluded) o.excluded = std::move(*excluded);
  return o;
}

/// Evaluates, without the GIL when that is safe (the conditions of Plan.rollup).
standard_result run(const standard& s, const plan& p, const py_observations& obs, const standard_options& o) {
  const observation_view v = obs.view_for(p); // spans into the columns, built while holding the GIL
  if (obs.borrowed()) {
    // A column reads the caller's array in place, which Python code could write meanwhile.
    return evaluate_standard(s, p, v, o);
  }
  // Safe without the GIL: the columns are read-only memory no Python code can write, kept alive
  // (with the Standard, which Python cannot change) by this call's arguments; the plan is only read
  // and its mutators check plan_readers first; nothing below touches a Python object.
  const plan_read_guard reading(&p, "evaluate_standard");
  const py::gil_scoped_release release;
  return evaluate_standard(s, p, v, o);
}

/// standard_states, without the GIL under the conditions of run().
standard_partial states(const standard& s, const plan& p, const py_observations& obs, const standard_options& o) {
  const observation_view v = obs.view_for(p);
  if (obs.borrowed()) return standard_states(s, p, v, o);
  const plan_read_guard reading(&p, "standard_states");
  const py::gil_scoped_release release;
  return standard_states(s, p, v, o);
}

// --- the result as dicts -------------------------------------------------------------------------

py::list unit_results(const standard_result& r) {
  py::list out;
  for (const auto& u : r.units) {
    py::dict d;
    d["unit"] = u.entity;
    d["combined_school"] = u.combined_school;
    d["stage"] = optional_enum_name(stage_names, u.stage);
    d["students"] = u.students;
    d["excluded"] = u.excluded;
    d["exclusion"] = u.exclusion;
    d["excluded_because"] = text_dict(u.excluded_because);
    d["passed"] = u.passed;
    d["met_count"] = u.met_count;
    py::list values;
    for (const auto& v : u.values) {
      py::dict x;
      x["indicator"] = v.indicator;
      x["value"] = v.value;
      x["threshold"] = v.threshold;
      x["ratio"] = v.ratio;
      x["met"] = v.met;
      x["above_floor"] = v.above_floor;
      x["missing"] = v.missing;
      x["split"] = v.split;
      values.append(std::move(x));
    }
    d["values"] = std::move(values);
    out.append(std::move(d));
  }
  return out;
}

py::list cv_results(const standard_result& r) {
  py::list out;
  for (const auto& c : r.cvs) {
    py::dict d;
    d["stage"] = enum_name(stage_names, c.stage);
    d["indicator"] = c.indicator;
    d["cv"] = c.cv;
    d["mean"] = c.mean;
    d["units"] = c.units;
    d["missing_units"] = c.missing_units;
    d["weighting"] = enum_name(rules::cv_weighting_names, c.weighting);
    d["rule"] = c.rule;
    d["limit"] = c.limit;
    d["passed"] = c.passed;
    out.append(std::move(d));
  }
  return out;
}

py::list composite_results(const standard_result& r) {
  py::list out;
  for (const auto& c : r.composites) {
    py::dict d;
    d["rule"] = c.rule;
    d["stage"] = enum_name(stage_names, c.stage);
    d["value"] = c.value;
    d["limit"] = c.limit;
    d["passed"] = c.passed;
    out.append(std::move(d));
  }
  return out;
}

py::list criterion_results(const standard_result& r) {
  py::list out;
  for (const auto& c : r.criteria) {
    py::dict d;
    d["id"] = c.id;
    d["indicator"] = c.indicator;
    d["comparator"] = enum_name(comparator_names, c.comparator);
    d["value"] = c.value;
    d["limit"] = c.limit;
    d["passed"] = c.passed;
    d["entity"] = c.entity;
    out.append(std::move(d));
  }
  return out;
}

py::list group_results(const standard_result& r) {
  py::list out;
  for (const auto& g : r.groups) {
    py::dict d;
    d["id"] = g.id;
    d["evaluated"] = g.evaluated;
    d["passed"] = g.passed;
    out.append(std::move(d));
  }
  return out;
}

std::string plural(std::size_t n, const char* word) { return std::to_string(n) + " " + word + (n == 1 ? "" : "s"); }

std::string result_repr(const standard_result& r) {
  return "<StandardResult " + r.standard + ": " +
         (r.passed ? std::string("passed") : "failed, " + plural(r.reasons.size(), "reason")) + ">";
}

std::string explain(const standard_result& r, std::string_view lang) {
  checked_lang(lang);
  if (r.reasons.empty()) {
    if (lang == "en")
      return r.scope + " passes " + r.standard + " (" + format_period(r.period) +
             "): every requirement evaluated is met";
    return r.scope + " 通过 " + r.standard + "（" + format_period(r.period) + "）：评估的各项要求均已达到";
  }
  std::string out;
  for (const auto& x : r.reasons) {
    if (!out.empty()) out += '\n';
    out += lang == "en" ? x.message_en : x.message_zh;
  }
  return out;
}

// --- HTML ----------------------------------------------------------------------------------------

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

/// Six significant digits: 0.51017, 1700, 2190.
std::string html_number(const std::optional<double>& x) {
  if (!x) return "";
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, "%.6g", *x);
  if (n <= 0) return detail::format_number(*x);
  return std::string(buf, static_cast<std::size_t>(n));
}

constexpr const char* red = "#c62828";
constexpr const char* green = "#2e7d32";

std::string badge(bool passed) {
  return std::string("<span style=\"color:#fff;background:") + (passed ? green : red) +
         ";padding:1px 6px;border-radius:3px\">" + (passed ? "passed 通过" : "failed 未通过") + "</span>";
}

std::string result_html(const standard_result& r) {
  std::string h = "<div class=\"planeval-standard-result\"><p><b>" + html_escape(r.standard) + "</b> · " +
                  html_escape(r.scope) + " · " + html_escape(format_period(r.period)) + ": " + badge(r.passed);
  if (r.passed) return h + "</p></div>";
  h += " (" + plural(r.reasons.size(), "reason") + ")</p>";
  h += "<table style=\"border-collapse:collapse\"><thead><tr><th></th><th>code</th><th>stage</th><th>unit</th>"
       "<th>indicator</th><th>value</th><th>limit</th><th>message</th></tr></thead><tbody>";
  for (const auto& x : r.reasons) {
    h += "<tr><td style=\"color:";
    h += red;
    h += ";font-weight:bold\">✗</td><td>" + html_escape(x.code) + "</td><td>" +
         html_escape(x.stage ? enum_name(stage_names, *x.stage) : std::string()) + "</td><td>" + html_escape(x.unit) +
         "</td><td>" + html_escape(x.indicator) + "</td><td style=\"text-align:right\">" + html_number(x.value) +
         "</td><td style=\"text-align:right\">" + html_number(x.limit) + "</td><td style=\"text-align:left\">" +
         html_escape(x.message_zh) + "</td></tr>";
  }
  return h + "</tbody></table></div>";
}

/// pickle would take pybind11's default path, which aborts for protocols 0 and 1 (see value_class).
template <class T>
void refuse_pickle(py::class_<T>& cls) {
  cls.def(
      "__reduce_ex__",
      [](py::handle self, int /*protocol*/) -> py::object {
        throw arg_type_error("cannot pickle '" +
                             py::str(py::type::handle_of(self).attr("__name__")).cast<std::string>() + "' object");
      },
      "protocol"_a);
}

constexpr const char* evaluate_doc =
    "Evaluate an official standard for one county and period.\n\n"
    "standard: a Standard (builtin_standard, load_standard, parse_standard). plan: the Plan whose\n"
    "entities are the county and its schools (Plan.add_standard_indicators adds the standard's\n"
    "indicators). observations: Observations of those indicators; the weight column holds each row's\n"
    "students (without it, the entities' `students`).\n\n"
    "period (required): a year (2023 or \"2023\"), a school year (\"2023-2024\", \"2023/24\"), a\n"
    "datetime.date (the calendar year containing it), or a Period (Period.calendar_year(2023),\n"
    "Period.school_year(2022), school_year_of(day)...); the rows whose end\n"
    "date falls in it are used, the latest one per unit and indicator.\n"
    "scope: the county's entity id (None: the plan's first entity of kind district).\n"
    "indicators: {standard indicator id: plan indicator id} where they differ.\n"
    "groups: evaluate only these groups of the standard (the verdict then covers them only).\n"
    "excluded: {entity id: reason} units to leave out.\n\n"
    "Returns a StandardResult: the verdict, every reason it fails (missing data included: a value that\n"
    "is not there never counts as zero or as met), and the units, CVs and county criteria.\n"
    "Raises StandardError for an invalid standard, Error for unusable options (unknown scope, group\n"
    "or indicator) and DataError for rows outside the plan.\n\n"
    "Threads: like Plan.rollup, the GIL is released during the C++ evaluation when the observations\n"
    "own their data (Observations.borrowed is False); do not change the plan from another thread\n"
    "meanwhile.";

} // namespace

void register_standard(py::module_& m) {
  standard_error_type.call_once_and_store_result([&] {
    py::object t = py::exception<standard_error>(m, "StandardError", py::object(m.attr("Error")));
    t.attr("__doc__") = "An invalid standard. `errors` lists every problem found, as Diagnostic objects located by "
                        "file and JSON path; str(e) describes the first one.";
    return t;
  });
  py::register_exception_translator(translate);

  // --- Standard ---------------------------------------------------------------------------------
  value_class<standard> s(m, "Standard",
                          "An official evaluation standard (督导评估办法) as data: its document, stages, indicators\n"
                          "with per-stage thresholds, the per-school rule, the between-school CV limits, the county\n"
                          "criteria and the exclusions. Read-only; get one with builtin_standard, load_standard or\n"
                          "parse_standard. The dict and list properties have the keys of the JSON file\n"
                          "(standards/README.md), with text as {'zh', 'en'} and per-stage numbers as {'小学': 4.2}.",
                          {});
  s.def("__repr__", &standard_repr);
  s.def_readonly("id", &standard::id, "Identifier, e.g. 'compulsory_quality_balance_2017'");
  s.def_property_readonly(
      "title", [](const standard& x) { return x.title; }, "Title (Text, a copy)");
  s.def_property_readonly(
      "document", [](const standard& x) { return document_dict(x.document); },
      "The document encoded: {number, issuer, jurisdiction, date, sources, evidence, notes}");
  s.def_readonly("based_on", &standard::based_on, "Id of the standard this one adapts ('' if none)");
  s.def_property_readonly(
      "stages", [](const standard& x) { return stage_list(x.stages); },
      "Stages with thresholds and limits, e.g. ['小学', '初中']");
  s.def_property_readonly(
      "units", [](const standard& x) { return units_dict(x.units); },
      "What is judged one by one: {level, entity_kinds, evidence, notes}");
  s.def_property_readonly(
      "groups", [](const standard& x) { return groups_list(x.groups); },
      "Groups of requirements: [{id, name, evidence, notes}]");
  s.def_property_readonly(
      "indicator_ids",
      [](const standard& x) {
        std::vector<std::string> ids;
        for (const auto& i : x.indicators) ids.push_back(i.id);
        return ids;
      },
      "Ids of the standard's indicators, in order");
  s.def_property_readonly(
      "indicators", [](const standard& x) { return indicators_list(x.indicators); },
      "Indicators: [{id, name, unit, kind, direction, level, decimals, definition, comparator,\n"
      "thresholds, split_combined, group, evidence, sources, notes}]");
  s.def_property_readonly(
      "unit_rule", [](const standard& x) { return unit_rule_dict(x.unit_rule); },
      "The per-school rule: {kind, k, floor, required_share, group, description, evidence, sources, notes}");
  s.def_property_readonly(
      "across_units", [](const standard& x) { return across_list(x.across_units); },
      "Between-school rules: [{id, kind, weighting, comparator, limits, indicators, group, description,\n"
      "evidence, sources, notes}]");
  s.def_property_readonly(
      "district_criteria", [](const standard& x) { return criteria_list(x.district_criteria); },
      "County criteria: [{id, indicator, comparator, value, group, description, evidence, sources, notes}]");
  s.def_property_readonly(
      "exclusions", [](const standard& x) { return exclusions_list(x.exclusions); },
      "Units left out: [{id, kind, entity_kinds, students | patterns, description, evidence, sources, notes}]");
  s.def_property_readonly(
      "combined_schools", [](const standard& x) { return splits_list(x.combined_schools); },
      "Split weights of combined schools: [{stages, weights, description, evidence, sources, notes}]");
  s.def_property_readonly(
      "verdict", [](const standard& x) { return verdict_dict(x.verdict); },
      "How the verdict combines the rules: {rule, description, evidence, sources, notes}");
  s.def_readonly("notes", &standard::notes, "Notes (list of str)");
  // indicators_frame (pandas) is defined in Python: planeval/_standard.py

  m.def("builtin_standard_ids", &builtin_standard_ids,
        "Ids of the standards compiled into planeval (sorted): basic_balance_2012,\n"
        "compulsory_quality_balance_2017, preschool_universal_inclusive_2020");
  m.def("builtin_standard", &builtin_standard, "id"_a,
        "A built-in standard, parsed. Raises Error naming the known ids.");
  m.def(
      "builtin_standard_json", [](std::string_view id) { return std::string(builtin_standard_json(id)); }, "id"_a,
      "The JSON text of a built-in standard (to adapt into a provincial one). Raises Error naming the known ids.");
  m.def(
      "load_standard",
      [](const std::filesystem::path& path) {
        try {
          return load_standard(path.string());
        } catch (const std::ios_base::failure&) {
          throw standard_error({{severity::error, path.string(), "cannot read the standard file"}});
        }
      },
      "path"_a, "Read a standard file (JSON, UTF-8). Raises StandardError listing every problem.");
  m.def(
      "parse_standard",
      [](const py::object& json_text, std::string_view source_name) {
        return parse_standard(utf8_arg(json_text, "text"), source_name);
      },
      "text"_a, "source_name"_a = "<string>",
      "Parse a standard from JSON text; `source_name` prefixes every location. Raises StandardError\n"
      "listing every problem, located by JSON path.");

  auto plan_cls = py::reinterpret_borrow<py::class_<plan>>(m.attr("Plan"));
  plan_cls.def(
      "add_standard_indicators",
      [](plan& p, const standard& x) {
        require_plan_not_read(&p, "Plan.add_standard_indicators");
        return add_standard_indicators(p, x);
      },
      "standard"_a,
      "Add the standard's indicators that the plan lacks (by id), so observations of them can be read;\n"
      "returns the ids added. Indicators already in the plan are left as they are.");

  m.def(
      "split_combined_school",
      [](double total, const std::vector<double>& students, const std::vector<double>& weights) {
        // API conventions: ±inf is refused naming the argument; NaN is missing, and a share computed
        // from a missing number is missing (all NaN), never a guess
        if (std::isinf(total))
          throw data_error(std::string("split_combined_school: total: expected a finite number or NaN (missing), got ") +
                           (total > 0 ? "inf" : "-inf"));
        bool missing = std::isnan(total);
        for (std::size_t i = 0; i < students.size(); ++i)
          missing |= std::isnan(finite_or_missing(students[i], "split_combined_school: students", i));
        for (std::size_t i = 0; i < weights.size(); ++i)
          missing |= std::isnan(finite_or_missing(weights[i], "split_combined_school: weights", i));
        if (missing && students.size() == weights.size())
          return std::vector<double>(students.size(), std::numeric_limits<double>::quiet_NaN());
        return split_combined_school(total, students, weights);
      },
      "total"_a, "students"_a, "weights"_a,
      "Split a combined school's `total` resource between its stages by student weights:\n"
      "share_s = total × w_s·P_s / Σ_j w_j·P_j (students P and weights w, one per stage).\n"
      "NaN anywhere (missing) gives NaN shares; ±inf raises DataError naming the argument and position.\n"
      "Raises Error on different sizes, negative inputs, or Σ w·P = 0.");

  // --- results ----------------------------------------------------------------------------------
  value_class<standard_reason> reason(m, "StandardReason", "One reason a county fails a standard.", {"code"},
                                      {"stage", "indicator", "unit", "value", "limit"});
  reason.def_readonly("code", &standard_reason::code,
                      "unit_below_floor, unit_too_few_met, cv_above_limit, missing_values, criterion_not_met...");
  reason.def_readonly("group", &standard_reason::group, "The standard's group ('' without groups)");
  reason.def_property_readonly(
      "stage", [](const standard_reason& x) { return optional_enum_name(stage_names, x.stage); }, "Stage, or None");
  reason.def_readonly("indicator", &standard_reason::indicator, "Standard indicator id (or '')");
  reason.def_readonly("unit", &standard_reason::unit, "Entity id of the school (or '')");
  reason.def_readonly("value", &standard_reason::value, "The offending value (a count for missing_values), or None");
  reason.def_readonly("limit", &standard_reason::limit, "What it had to reach, or None");
  reason.def_readonly("message_zh", &standard_reason::message_zh, "The reason in Chinese");
  reason.def_readonly("message_en", &standard_reason::message_en, "The reason in English");
  reason.def(
      "message",
      [](const standard_reason& x, std::string_view lang) {
        return checked_lang(lang) == "en" ? x.message_en : x.message_zh;
      },
      "lang"_a = "zh", "The message in 'zh' or 'en'");
  reason.def("__str__", [](const standard_reason& x) { return x.message_zh; });

  py::class_<standard_result> r(m, "StandardResult",
                                "The outcome of evaluate_standard for one county and period: the verdict, every\n"
                                "reason it fails, and the units, CVs, composites, criteria and groups (lists of\n"
                                "dicts; the *_frame methods give them as pandas DataFrames).");
  refuse_pickle(r);
  r.def("__repr__", &result_repr);
  r.def("_repr_html_", &result_html);
  r.def_readonly("standard", &standard_result::standard, "Standard id");
  r.def_readonly("scope", &standard_result::scope, "The county's entity id");
  r.def_property_readonly(
      "period", [](const standard_result& x) { return x.period; }, "The period evaluated (Period, a copy)");
  r.def_readonly("passed", &standard_result::passed, "The verdict: True when there is no reason at all");
  r.def_property_readonly(
      "reasons", [](const standard_result& x) { return x.reasons; },
      "Every reason it fails (list of StandardReason, copies)");
  r.def(
      "explain", [](const standard_result& x, std::string_view lang) { return explain(x, lang); }, "lang"_a = "zh",
      "The reasons' messages, one per line, or a one-line pass message ('zh' or 'en')");
  r.def_property_readonly("units", &unit_results,
                          "One dict per unit (in plan entity order): unit, combined_school, stage, students,\n"
                          "excluded, exclusion, excluded_because {zh, en}, passed (None if excluded or without a\n"
                          "per-unit rule), met_count, values [{indicator, value, threshold, ratio, met,\n"
                          "above_floor, missing, split}]");
  r.def_property_readonly("cvs", &cv_results,
                          "One dict per stage × indicator: stage, indicator, cv, mean, units, missing_units,\n"
                          "weighting, rule, limit, passed");
  r.def_property_readonly("composites", &composite_results,
                          "Means of CVs (综合差异系数): [{rule, stage, value, limit, passed}]");
  r.def_property_readonly("criteria", &criterion_results,
                          "County criteria: [{id, indicator, comparator, value, limit, passed, entity}] (entity: where\n"
                          "the value was read: the scope, or the stage entity under it whose stage the standard concerns)");
  r.def_property_readonly("groups", &group_results, "Groups: [{id, evaluated, passed}]");
  // units_frame, cvs_frame, composites_frame, criteria_frame, groups_frame, reasons_frame (pandas) are
  // defined in Python: planeval/_standard.py (the core never imports the package)

  m.def(
      "evaluate_standard",
      [](const standard& x, const plan& p, const py_observations& obs, py::handle period_arg,
         std::optional<std::string> scope, std::optional<std::map<std::string, std::string>> indicators,
         std::optional<std::vector<std::string>> groups, std::optional<std::map<std::string, std::string>> excluded) {
        const standard_options o =
            make_options(period_arg, std::move(scope), std::move(indicators), std::move(groups), std::move(excluded));
        return run(x, p, obs, o);
      },
      "standard"_a, "plan"_a, "observations"_a, py::kw_only(), "period"_a, "scope"_a = py::none(),
      "indicators"_a = py::none(), "groups"_a = py::none(), "excluded"_a = py::none(), evaluate_doc);

  py::class_<standard_partial> sp(
      m, "StandardPartial",
      "The rows of some observations that evaluate_standard could read, for one standard, plan and\n"
      "options (standard_states): merge partials with += (or +; the right-hand side's rows count as\n"
      "later), save or ship them with to_bytes / StandardPartial.from_bytes(plan, b), and\n"
      "finalise(standard, plan) for the StandardResult evaluate_standard gives on all rows at once.\n"
      "Any split of the rows into consecutive parts, merged in order, gives that result; no part\n"
      "needs to hold an entity's rows together. Pickles as its bytes (read back without its plan:\n"
      "finalise checks the plan and the standard).");
  def_partial_protocol(sp, "StandardPartial",
                       "The partial as bytes (versioned, with the plan's fingerprint, the standard's digest, the\n"
          "options and a checksum).");
  sp.def(
          "finalise",
          [](const standard_partial& a, const standard& x, const plan& p) {
            const plan_read_guard reading(&p, "StandardPartial.finalise");
            const py::gil_scoped_release release;
            return a.finalise(x, p);
          },
          "standard"_a, "plan"_a,
          "The StandardResult evaluate_standard gives on all rows merged so far (with the options of\n"
          "standard_states); planeval.Error for another standard or plan.")
      .def_property_readonly("rows", &standard_partial::rows, "The rows kept (what finalise evaluates).")
      .def_property_readonly("standard_id", [](const standard_partial& a) { return a.standard_id(); },
                             "The id of the standard ('' for the empty partial).")
      .def("__repr__", [](const standard_partial& a) {
        return a.empty() ? std::string("StandardPartial(empty)")
                         : "StandardPartial(" + a.standard_id() + ", rows=" + std::to_string(a.rows()) + ")";
      });

  m.def(
      "standard_states",
      [](const standard& x, const plan& p, const py_observations& obs, py::handle period_arg,
         std::optional<std::string> scope, std::optional<std::map<std::string, std::string>> indicators,
         std::optional<std::vector<std::string>> groups, std::optional<std::map<std::string, std::string>> excluded) {
        const standard_options o =
            make_options(period_arg, std::move(scope), std::move(indicators), std::move(groups), std::move(excluded));
        return states(x, p, obs, o);
      },
      "standard"_a, "plan"_a, "observations"_a, py::kw_only(), "period"_a, "scope"_a = py::none(),
      "indicators"_a = py::none(), "groups"_a = py::none(), "excluded"_a = py::none(),
      "evaluate_standard in parts: the StandardPartial of these observations (the arguments of\n"
      "evaluate_standard). Merge the partials of all parts (+=) and finalise(standard, plan) for the\n"
      "result evaluate_standard gives on all rows at once. DataError for a bad row, naming its row.");
}

} // namespace planeval::python
