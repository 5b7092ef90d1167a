// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The Plan class, plan files (load/parse/save/to_json), counts and summaries, the embedded example.

#include <planeval/embedded.hpp>
#include <planeval/json.hpp>
#include <planeval/plan.hpp>
#include <planeval/standard.hpp>
#include <planeval/summary.hpp>

#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <ios>

#include "pybind_common.hpp"

namespace planeval::python {

namespace {

/// Format version of the pickled state (1, canonical JSON). Bump it when the state changes and
/// keep reading the old versions.
constexpr int pickle_version = 1;

py::tuple get_state(const plan& p) { return py::make_tuple(pickle_version, to_json(p, true)); }

plan set_state(const py::tuple& state) {
  if (state.size() != 2 || !py::isinstance<py::int_>(state[0]) || !py::isinstance<py::str>(state[1]))
    throw error("invalid Plan pickle state: expected a tuple (version, json_text)");
  const int version = state[0].cast<int>();
  if (version != pickle_version)
    throw error("unsupported Plan pickle format version " + std::to_string(version) + "; this planeval reads version " +
                std::to_string(pickle_version));
  return parse_plan(state[1].cast<std::string>(), "<pickle>");
}

std::string plan_repr(const plan& p) {
  // a class-name repr (API conventions, item 10): Plan(id='mini', targets=3, indicators=4, phases=2)
  return "Plan(id=" + py::repr(py::str(p.id())).cast<std::string>() + ", targets=" + std::to_string(p.targets().size()) +
         ", indicators=" + std::to_string(p.indicators().size()) + ", phases=" + std::to_string(p.phases().size()) + ")";
}

py::dict counts_dict(const plan& p) {
  const plan_counts c = count(p);
  py::dict d;
  d["targets_by_kind"] = c.targets_by_kind;
  d["targets_by_phase"] = c.targets_by_phase;
  d["targets_by_domain"] = c.targets_by_domain;
  d["targets_by_obligation"] = c.targets_by_obligation;
  d["targets_by_deadline_basis"] = c.targets_by_deadline_basis;
  d["qualitative"] = c.qualitative;
  return d;
}

std::string_view checked_lang(std::string_view lang) { return lang_arg(lang, "Plan.summary"); }

} // namespace

void register_plan(py::module_& m) {
  value_class<plan> c(m, "Plan",
                      "A development plan: horizon, phases, indicators, entities, targets, recorded observations,\n"
                      "conflicts and notes. A plan is valid by construction: items are added with the add_*\n"
                      "methods, which raise PlanError listing every problem; the list properties return copies.",
                      {});
  c.def(py::init([](std::string id, std::string title_zh, date start, date end, std::string title_en) {
          return plan(std::move(id), text{std::move(title_zh), std::move(title_en)},
                      period{start, end, period_kind::custom});
        }),
        py::arg("id"), py::arg("title_zh"), py::arg("start"), py::arg("end"), py::kw_only(), py::arg("title_en") = "");
  c.def("__repr__", &plan_repr);
  c.def(py::pickle(&get_state, &set_state));

  c.def_property_readonly(
      "id", [](const plan& p) { return p.id(); }, "Identifier: letters or digits of any script, _ . -");
  c.def_property_readonly(
      "title", [](const plan& p) { return p.title(); }, "Title (Text, a copy)");
  c.def_property_readonly(
      "horizon", [](const plan& p) { return p.horizon(); }, "The plan period (inclusive, a copy)");
  c.def_property(
      "source", [](const plan& p) { return p.source(); },
      [](plan& p, std::optional<document_ref> d) { p.set_source(std::move(d)); }, "Source Document, or None");

  // Lists are returned by value: the plan's vectors may reallocate on the next add_*, so handing
  // out references into them would dangle (and would let callers break the plan's invariants).
  c.def_property_readonly(
      "phases", [](const plan& p) { return p.phases(); }, "Phases (a copy)");
  c.def_property_readonly(
      "domains", [](const plan& p) { return p.domains(); }, "The plan's domains, its vocabulary (a copy)");
  c.def_property_readonly(
      "standards",
      [](const plan& p) {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& s : p.standards()) out.emplace_back(s.id, s.file);
        return out;
      },
      "The plan's own standards as (id, file) pairs; file is '' for an embedded one");
  c.def(
      "standard_json",
      [](const plan& p, std::string_view id) {
        const plan_standard* s = p.find_standard(id);
        if (!s) throw plan_error("standards", "the plan has no standard \"" + std::string(id) + "\"");
        return s->json;
      },
      py::arg("id"), "The JSON text of one of the plan's own standards (parse it with parse_standard)");
  c.def(
      "standard", [](const plan& p, std::string_view id) { return standard_for(p, id); }, py::arg("id"),
      "The official standard with this id: the plan's own (standards[]), else the built-in one;\n"
      "StandardError for an unknown id");
  c.def(
      "domain_name", [](const plan& p, std::string_view id) { return p.domain_name(id); }, py::arg("id"),
      "A domain's name as the plan declares it (Text); the id itself when undeclared, 其他/other for ''");
  c.def_property_readonly(
      "indicators", [](const plan& p) { return p.indicators(); }, "Indicators (a copy)");
  c.def_property_readonly(
      "constants", [](const plan& p) { return p.constants(); }, "Constants for formulas, C{id} (a copy)");
  c.def_property_readonly(
      "entities", [](const plan& p) { return p.entities().entities(); }, "Entities (a copy)");
  c.def_property_readonly(
      "targets", [](const plan& p) { return p.targets(); }, "Targets (a copy)");
  c.def_property_readonly(
      "observations", [](const plan& p) { return p.observations(); }, "Recorded observations (a copy)");
  c.def_property_readonly(
      "conflicts", [](const plan& p) { return p.conflicts(); }, "Conflicts (a copy)");
  c.def_property_readonly(
      "notes", [](const plan& p) { return p.notes(); }, "Notes (a copy)");

  const char* add_doc = "Append a copy of the item; returns its index. Raises PlanError listing every problem.";
  c.def(
      "add_phase",
      [](plan& p, phase x) {
        require_plan_not_read(&p, "Plan.add_phase");
        return p.add_phase(std::move(x));
      },
      py::arg("phase"), add_doc);
  c.def(
      "add_domain",
      [](plan& p, domain x) {
        require_plan_not_read(&p, "Plan.add_domain");
        return p.add_domain(std::move(x));
      },
      py::arg("domain"), add_doc);
  c.def(
      "add_standard",
      [](plan& p, const py::object& json_text, std::string file) {
        require_plan_not_read(&p, "Plan.add_standard");
        return p.add_standard(plan_standard{"", std::move(file), utf8_arg(json_text, "json_text")});
      },
      py::arg("json_text"), py::kw_only(), py::arg("file") = "",
      "Add a standard of the plan's own from its JSON text (the standard format); `file`, if given, is the\n"
      "path the plan file names it by (relative to the plan file). Raises PlanError for an invalid standard.");
  c.def(
      "add_indicator",
      [](plan& p, indicator x) {
        require_plan_not_read(&p, "Plan.add_indicator");
        return p.add_indicator(std::move(x));
      },
      py::arg("indicator"), add_doc);
  c.def(
      "add_constant",
      [](plan& p, constant x) {
        require_plan_not_read(&p, "Plan.add_constant");
        return p.add_constant(std::move(x));
      },
      py::arg("constant"), add_doc);
  c.def(
      "add_entity",
      [](plan& p, entity x) {
        require_plan_not_read(&p, "Plan.add_entity");
        return p.add_entity(std::move(x));
      },
      py::arg("entity"), add_doc);
  c.def(
      "add_target",
      [](plan& p, target x) {
        require_plan_not_read(&p, "Plan.add_target");
        return p.add_target(std::move(x));
      },
      py::arg("target"), add_doc);
  c.def(
      "add_observation",
      [](plan& p, recorded_observation x) {
        require_plan_not_read(&p, "Plan.add_observation");
        return p.add_observation(std::move(x));
      },
      py::arg("observation"), add_doc);
  c.def(
      "add_conflict",
      [](plan& p, conflict x) {
        require_plan_not_read(&p, "Plan.add_conflict");
        return p.add_conflict(std::move(x));
      },
      py::arg("conflict"), add_doc);
  c.def(
      "add_note",
      [](plan& p, note x) {
        require_plan_not_read(&p, "Plan.add_note");
        return p.add_note(std::move(x));
      },
      py::arg("note"), add_doc);

  c.def("indicator", &plan::indicator_by_id, py::arg("id"), py::return_value_policy::copy,
        "The indicator with this id; PlanError if there is none");
  c.def("target", &plan::target_by_id, py::arg("id"), py::return_value_policy::copy,
        "The target with this id; PlanError if there is none");
  c.def("entity", &plan::entity_by_id, py::arg("id"), py::return_value_policy::copy,
        "The entity with this id; PlanError if there is none");
  c.def("phase", &plan::phase_by_id, py::arg("id"), py::return_value_policy::copy,
        "The phase with this id; PlanError if there is none");
  c.def(
      "phase_at",
      [](const plan& p, date day) -> std::optional<phase> {
        if (const phase* ph = p.phase_at(day)) return *ph;
        return std::nullopt;
      },
      py::arg("day"), "The phase containing the day, or None");
  c.def("warnings", &plan::warnings,
        "Suspicious but valid things (assumed deadlines, goals met at the baseline, conflicting targets...)");
  c.def(
      "summary", [](const plan& p, std::string_view lang) { return summary(p, checked_lang(lang)); },
      py::arg("lang") = "zh", "A plain-text summary in 'zh' or 'en'");
  c.def("counts", &counts_dict,
        "Target counts: dict with targets_by_kind, targets_by_phase, targets_by_domain, targets_by_obligation,\n"
        "targets_by_deadline_basis (dict[str, int]) and qualitative (int)");
  c.def(
      "target_kind",
      [](const plan& p, std::string_view id) { return enum_name(target_kind_names, kind_of(p, p.target_by_id(id))); },
      py::arg("target_id"), "'quantitative', 'trend', 'milestone' or 'structure'");
  c.def(
      "to_json", [](const plan& p) { return to_json(p); }, "The plan in canonical JSON");
  c.def(
      "save", [](const plan& p, const std::filesystem::path& path) { save_plan(p, path.string()); }, py::arg("path"),
      "Write the plan in canonical JSON; raises Error if the file cannot be written");

  m.def(
      "load_plan",
      [](const std::filesystem::path& path) {
        try {
          return load_plan(path.string());
        } catch (const std::ios_base::failure&) {
          // libstdc++'s filebuf throws when read() fails (e.g. the path is a directory), which
          // planeval::load_plan does not catch; report it as the plan_error load_plan means.
          throw plan_error(path.string(), "cannot read the plan file");
        }
      },
      py::arg("path"), "Read a plan file; raises PlanError (also when the file cannot be read)");
  m.def(
      "parse_plan",
      [](const py::object& json_text, std::string_view source_name) {
        return parse_plan(utf8_arg(json_text, "text"), source_name);
      },
      py::arg("text"), py::arg("source_name") = "<string>",
      "Parse a plan from JSON text; `source_name` prefixes the location of syntax errors");
  m.def("example_plan", &baijiantan_plan, "The Baijiantan District education plan (14th five-year period)");
  m.def(
      "example_plan_json", [] { return std::string(baijiantan_plan_json()); },
      "The JSON text of the embedded Baijiantan plan");
}

} // namespace planeval::python
