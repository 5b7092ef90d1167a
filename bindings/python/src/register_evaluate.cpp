// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Evaluating a plan: _core._evaluate() runs planeval::evaluate and returns a _Report holding the
// C++ report and a copy of the plan it describes (the plan may change later in Python). The
// Python class planeval.Report wraps it (to_dict from the JSON form, to_text, to_frame).
// as_of is any date the API conventions take (date_arg: a date, datetime64, Timestamp, ISO string,
// int year = 31 December); threads=0 is every core (threads_arg).

#include <planeval/evaluate.hpp>
#include <planeval/evaluate_partial.hpp>
#include <planeval/json.hpp>

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

struct py_report {
  planeval::report report;
  planeval::plan plan;
};

assess_method method_named(const std::string& name, const char* what) {
  if (auto m = parse_assess_method(name)) return *m;
  throw error(std::string(what) + ": unknown method \"" + name + "\"; expected one of " +
              detail::alternatives(assess_method_names));
}

assess_params params_from(const py::dict& d, const std::string& method) {
  assess_params out;
  for (const auto& [k, v] : d) {
    const auto name = py::cast<std::string>(k);
    if (py::isinstance<py::bool_>(v))
      out.set(name, v.cast<bool>());
    else if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v))
      out.set(name, v.cast<double>());
    else
      throw error("evaluate: params[\"" + method + "\"][\"" + name + "\"]: expected a number or a bool, got " +
                  std::string(py::str(py::type::of(v).attr("__name__"))));
  }
  return out;
}

evaluate_options options_from(py::handle as_of, const std::string& primary, const std::vector<std::string>& methods,
                              const py::dict& params, const std::vector<standard>& standards, long long threads) {
  evaluate_options o;
  o.as_of = date_arg(as_of, "evaluate: as_of");
  o.primary = method_named(primary, "evaluate: primary");
  for (const auto& m : methods) o.methods.push_back(method_named(m, "evaluate: methods"));
  for (const auto& [k, v] : params) {
    const auto name = py::cast<std::string>(k);
    if (!py::isinstance<py::dict>(v))
      throw error("evaluate: params[\"" + name + "\"]: expected a dict of parameter values");
    o.params.emplace_back(method_named(name, "evaluate: params"), params_from(v.cast<py::dict>(), name));
  }
  o.standards = standards;
  o.threads = threads_arg(threads, "evaluate");
  return o;
}

py_report run_evaluate(const plan& p, const py_observations* obs, py::handle as_of,
                       const std::string& primary, const std::vector<std::string>& methods, const py::dict& params,
                       const std::vector<standard>& standards, long long threads,
                       const std::vector<std::pair<std::string, std::string>>& notices) {
  const evaluate_options o = options_from(as_of, primary, methods, params, standards, threads);
  py_report out{{}, p};
  if (!obs) {
    const observation_table empty;
    out.report = evaluate(p, empty.view(), o);
  } else {
    const observation_view v = obs->view_for(p); // built while holding the GIL
    if (obs->borrowed()) {
      out.report = evaluate(p, v, o); // the caller's arrays could change meanwhile: keep the GIL
    } else {
      // safe without the GIL for the reasons given in register_rollup.cpp (run)
      const plan_read_guard reading(&p, "Plan.evaluate");
      const py::gil_scoped_release release;
      out.report = evaluate(p, v, o);
    }
  }
  for (const auto& [zh, en] : notices) out.report.notices.push_back({zh, en});
  return out;
}

/// Plan.evaluate_states: the evaluation states of these rows (one part), without the GIL as evaluate.
evaluation_partial run_evaluate_states(const plan& p, const py_observations* obs, py::handle as_of,
                                       const std::string& primary, const std::vector<std::string>& methods,
                                       const py::dict& params, const std::vector<standard>& standards,
                                       long long threads) {
  const evaluate_options o = options_from(as_of, primary, methods, params, standards, threads);
  if (!obs) {
    const observation_table empty;
    return evaluate_states(p, empty.view(), o);
  }
  const observation_view v = obs->view_for(p); // built while holding the GIL
  if (obs->borrowed()) return evaluate_states(p, v, o); // the caller's arrays could change: keep the GIL
  // safe without the GIL for the reasons given in register_rollup.cpp (run)
  const plan_read_guard reading(&p, "Plan.evaluate_states");
  const py::gil_scoped_release release;
  return evaluate_states(p, v, o);
}

void register_evaluation_partial(py::module_& m) {
  py::class_<evaluation_partial> ep(
      m, "EvaluationPartial",
      "What a plan evaluation reads from some of the rows (Plan.evaluate_states), mergeable: merge\n"
      "the partials of the parts in part order with += (or +), save or ship them with to_bytes /\n"
      "EvaluationPartial.from_bytes(plan, b), and finalise(plan) for the report planeval.evaluate gives\n"
      "on all rows at once (pickles as its bytes, read back without its plan: finalise checks it).\n"
      "The rows of one indicator, entity and year must be in one part, and a derived indicator's\n"
      "inputs of one entity and period together (a part per school, district or year does both);\n"
      "merging two parts that share such a key raises DataError. Merging into one partial from two\n"
      "threads at once is not safe (the GIL is released while states merge).");
  def_partial_protocol(ep, "EvaluationPartial",
                       "The partial as bytes (versioned, with the plan's fingerprint, the options and a checksum).");
  ep.def(
          "_finalise",
          [](const evaluation_partial& a, const plan& p, const std::optional<std::vector<standard>>& standards,
             const std::vector<std::pair<std::string, std::string>>& notices) {
            py_report out{{}, p};
            {
              const plan_read_guard reading(&p, "EvaluationPartial.finalise");
              const py::gil_scoped_release release;
              if (standards) {
                evaluate_options o = a.options();
                o.standards = *standards;
                out.report = a.finalise(p, o);
              } else {
                out.report = a.finalise(p);
              }
            }
            for (const auto& [zh, en] : notices) out.report.notices.push_back({zh, en});
            return out;
          },
          "plan"_a, "standards"_a, "notices"_a,
          "The report of the rows merged so far (private; use EvaluationPartial.finalise).")
      .def_property_readonly("rows", &evaluation_partial::rows, "Rows given so far (Report.rows).")
      .def("__repr__", [](const evaluation_partial& a) {
        return a.empty() ? std::string("EvaluationPartial(empty)")
                         : "EvaluationPartial(rows=" + std::to_string(a.rows()) + ")";
      });
  auto cls = py::reinterpret_borrow<py::class_<plan>>(m.attr("Plan"));
  cls.def("_evaluate_states", &run_evaluate_states, "observations"_a, "as_of"_a, "primary"_a, "methods"_a,
          "params"_a, "standards"_a, "threads"_a,
          "The evaluation states of these rows (private; use Plan.evaluate_states).");
}

} // namespace

void register_evaluate(py::module_& m) {
  register_evaluation_partial(m);
  py::class_<py_report> r(m, "_Report", "A plan evaluation (C++); use planeval.Report");
  r.def(
      "to_json", [](const py_report& x) { return to_json(x.report, x.plan); },
      "The report as JSON text (see the README for its fields)");
  r.def(
      "to_text", [](const py_report& x, std::string_view lang) {
        return to_text(x.report, x.plan, lang_arg(lang, "Report.to_text"));
      },
      "lang"_a = "zh", "A plain-text report for terminals");
  r.def(
      "plan", [](const py_report& x) { return x.plan; }, "A copy of the plan evaluated");
  m.def(
      "_status_labels",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string>> out;
        for (const auto& [s, name] : target_status_names) {
          const text t = status_label(s);
          out.emplace_back(std::string(name), t.zh, t.en);
        }
        return out;
      },
      "(status, Chinese label, English label) for every target status, in report order");
  m.def(
      "_scope_words",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string>> out;
        for (const auto& [k, name] : entity_kind_names) {
          const text t = scope_word(k);
          out.emplace_back(std::string(name), t.zh, t.en);
        }
        return out;
      },
      "(entity kind, Chinese, English): 全县/county-wide, 全区/district-wide ... for every entity kind");
  m.def(
      "_obligation_labels",
      [] {
        std::vector<std::tuple<std::string, std::string, std::string>> out;
        for (const obligation o : obligations_in_order) {
          const text t = obligation_label(o);
          out.emplace_back(std::string(to_string(o)), t.zh, t.en);
        }
        return out;
      },
      "(obligation, Chinese, English): binding 约束性, expected 预期性, unspecified 未注明");
  m.def(
      "_english_unit_names",
      [] {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& [zh, en] : english_unit_names()) out.emplace_back(zh, en);
        return out;
      },
      "(unit, English) for the units English text translates");
  m.def("_evaluate", &run_evaluate, "plan"_a, "observations"_a, "as_of"_a, "primary"_a, "methods"_a, "params"_a,
        "standards"_a, "threads"_a, "notices"_a,
        "Evaluate every target of `plan` at `as_of` (private; use Plan.evaluate / planeval.evaluate).");
}

} // namespace planeval::python
