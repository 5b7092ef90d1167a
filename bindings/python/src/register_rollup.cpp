// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The roll-up: Plan.rollup (a pandas DataFrame, or the arrays without pandas) and Plan.rollup_arrays.

#include <planeval/rollup.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

template <class Enum, std::size_t N>
Enum parse_option(const detail::name_table<Enum, N>& table, std::string_view s, const char* option) {
  if (auto e = detail::parse_name(table, s)) return *e;
  throw error(std::string("rollup: ") + option + ": expected one of " + detail::alternatives(table) + ", got \"" +
              std::string(s) + "\"");
}

rollup_options parse_options(const plan& p, py::handle level, std::string_view period, bool by_stage,
                             const std::optional<std::string>& rule, std::string_view policy,
                             const std::optional<std::vector<std::string>>& indicators, int threads) {
  rollup_options o;
  if (py::isinstance<py::str>(level)) {
    o.kind = parse_option(entity_kind_names, level.cast<std::string>(), "level");
  } else if (py::isinstance<py::int_>(level) && !py::isinstance<py::bool_>(level)) {
    const auto depth = level.cast<long long>();
    if (depth < 0) throw error("rollup: level: a depth must be >= 0, got " + std::to_string(depth));
    o.depth = static_cast<std::size_t>(depth);
  } else {
    throw py::type_error("rollup: level must be an entity kind (str, e.g. 'district') or a tree depth (int)");
  }
  if (period == "calendar_year")
    o.period = period_kind::calendar_year;
  else if (period == "school_year")
    o.period = period_kind::school_year;
  else if (period == "all")
    o.period = period_kind::custom;
  else
    throw error("rollup: period: expected one of \"calendar_year\", \"school_year\" or \"all\", got \"" +
                std::string(period) + "\"");
  o.by_stage = by_stage;
  o.rule = rule ? parse_option(rollup_rule_names, *rule, "rule") : rollup_rule::indicator;
  o.missing = parse_option(rules::missing_policy_names, policy, "missing");
  if (indicators)
    for (const auto& id : *indicators) {
      const auto i = p.find_indicator(id);
      if (!i) throw error("rollup: indicators: unknown indicator \"" + id + "\"");
      o.indicators.push_back(*i);
    }
  if (threads < 1) throw error("rollup: threads must be >= 1, got " + std::to_string(threads));
  o.threads = static_cast<unsigned>(threads);
  return o;
}

/// Runs the roll-up, without the GIL when that is safe.
rollup_result run(const plan& p, const py_observations& obs, const rollup_options& o) {
  const observation_view v = obs.view_for(p); // spans into the columns, built while holding the GIL
  if (obs.borrowed()) {
    // A column reads the caller's array in place, and Python code could write to it while we read:
    // keep the GIL (the roll-up's own threads do not need it).
    return rollup(p, v, o);
  }
  // Releasing the GIL is safe here:
  // - the columns are read-only arrays whose memory no Python code can write (capsule-owned vectors,
  //   or arrays whose base chain ends in read-only memory; numpy_columns.hpp), and the Observations
  //   that holds them is immutable and kept alive by this call's argument references;
  // - the roll-up only reads the plan, and the bindings that change a plan's entities check
  //   plan_readers first, so they raise instead of reallocating the tree under us (the guard is
  //   registered before the release and removed after the GIL is taken back);
  // - nothing below touches a Python object.
  const plan_read_guard reading(&p);
  const py::gil_scoped_release release;
  return rollup(p, v, o);
}

template <class T>
py::array_t<T> copy_array(const std::vector<T>& v) {
  return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data()); // no base: numpy copies
}

py::array object_array(const py::list& items) {
  return py::module_::import("numpy").attr("array")(items, "dtype"_a = "object");
}

py::dict result_dict(const plan& p, const rollup_result& r) {
  const std::size_t n = r.size();
  std::vector<py::object> indicator_ids(p.indicators().size());
  std::vector<py::object> entity_ids(p.entities().size());
  py::list ind(n), ent(n), stg(n), rul(n);
  std::vector<double> value(r.value);
  py::array_t<bool> defined(static_cast<py::ssize_t>(n));
  bool* def = defined.mutable_data();
  for (std::size_t i = 0; i < n; ++i) {
    auto& id = indicator_ids[r.indicator[i]];
    if (!id) id = py::str(p.indicators()[r.indicator[i]].id);
    ind[i] = id;
    auto& eid = entity_ids[r.entity[i]];
    if (!eid) eid = py::str(p.entities()[r.entity[i]].id);
    ent[i] = eid;
    if (r.stage[i] < 0)
      stg[i] = py::none();
    else
      stg[i] = py::str(std::string(to_string(static_cast<planeval::stage>(r.stage[i]))));
    rul[i] = py::str(std::string(to_string(r.rule[i])));
    def[i] = r.defined[i] != 0;
    if (!def[i]) value[i] = std::numeric_limits<double>::quiet_NaN();
  }
  py::dict d;
  d["indicator"] = object_array(ind);
  d["entity"] = object_array(ent);
  d["stage"] = object_array(stg);
  d["period_start"] = copy_array(r.start).attr("astype")("datetime64[D]");
  d["period_end"] = copy_array(r.end).attr("astype")("datetime64[D]");
  d["value"] = copy_array(value);
  d["defined"] = defined;
  d["units"] = copy_array(r.units);
  d["missing_units"] = copy_array(r.missing_units);
  d["rule"] = object_array(rul);
  d["indicator_index"] = copy_array(r.indicator);
  d["entity_index"] = copy_array(r.entity);
  d["rows_used"] = r.rows_used;
  d["rows_outside_level"] = r.rows_outside_level;
  d["rows_combined_in_time"] = r.rows_combined_in_time;
  return d;
}

py::dict rollup_arrays(const plan& p, const py_observations& obs, py::handle level, std::string_view period,
                       bool by_stage, const std::optional<std::string>& rule, std::string_view policy,
                       const std::optional<std::vector<std::string>>& indicators, int threads) {
  const auto options = parse_options(p, level, period, by_stage, rule, policy, indicators, threads);
  return result_dict(p, run(p, obs, options));
}

constexpr const char* rollup_doc =
    "Roll observations up to a level of the entity tree and to calendar or school years.\n\n"
    "level: an entity kind ('district', 'stage', 'school'...; each row goes to its nearest\n"
    "  ancestor-or-self of that kind) or a tree depth (0 = the roots).\n"
    "period: 'calendar_year', 'school_year' (1 Sep - 31 Aug) or 'all' (the whole data window).\n"
    "by_stage: split each group by the stage of the observed entity.\n"
    "rule: None (each indicator's own: count/amount sum, rate/ratio weighted mean) or one of 'sum',\n"
    "  'count', 'mean', 'min', 'max', 'weighted_mean', 'cv', 'cv_unweighted', 'stddev'.\n"
    "missing: 'skip_if_all_missing', 'skip_if_any_missing' or 'never_skip'.\n"
    "indicators: None (all) or a list of indicator ids. threads: threads for the pass over the rows.\n\n"
    "Rows of one indicator, entity and period first combine across time by the indicator's time\n"
    "rule (a flow is summed, a stock takes its last value), then across entities.\n\n"
    "Threads: the GIL is released during the C++ roll-up when the observations own their data\n"
    "(Observations.borrowed is False), so other Python threads run meanwhile. Do not change this\n"
    "plan (add_entity and the other add_* methods) from another thread while a roll-up of it runs:\n"
    "read_csv and observations_from_frame raise if you try; the add_* methods do not check.";

} // namespace

void register_rollup(py::module_& m) {
  auto cls = py::reinterpret_borrow<py::class_<plan>>(m.attr("Plan"));
  cls.def("rollup_arrays", &rollup_arrays, "observations"_a, py::kw_only(), "level"_a = "district",
          "period"_a = "calendar_year", "by_stage"_a = false, "rule"_a = py::none(),
          "missing"_a = "skip_if_all_missing", "indicators"_a = py::none(), "threads"_a = 1,
          (std::string(rollup_doc) +
           "\n\nReturns a dict of numpy arrays, one row per (indicator, entity, stage, period) with data:\n"
           "indicator, entity (ids), stage (str or None), period_start, period_end (datetime64[D]),\n"
           "value (NaN where not defined), defined, units, missing_units, rule, indicator_index,\n"
           "entity_index; and the counts rows_used, rows_outside_level, rows_combined_in_time (int).")
              .c_str());
  cls.def(
      "rollup",
      [](const plan& p, const py_observations& obs, py::handle level, std::string_view period, bool by_stage,
         const std::optional<std::string>& rule, std::string_view policy,
         const std::optional<std::vector<std::string>>& indicators, int threads) {
        py::dict d = rollup_arrays(p, obs, level, period, by_stage, rule, policy, indicators, threads);
        return py::module_::import("planeval._frames").attr("rollup_frame")(d);
      },
      "observations"_a, py::kw_only(), "level"_a = "district", "period"_a = "calendar_year", "by_stage"_a = false,
      "rule"_a = py::none(), "missing"_a = "skip_if_all_missing", "indicators"_a = py::none(), "threads"_a = 1,
      (std::string(rollup_doc) +
       "\n\nReturns a pandas DataFrame with the columns indicator, entity, stage, period_start,\n"
       "period_end, value (NaN where not defined), defined, units, missing_units, rule, and the counts\n"
       "rows_used, rows_outside_level, rows_combined_in_time in DataFrame.attrs. Without pandas it\n"
       "returns the dict of rollup_arrays.")
          .c_str());
}

} // namespace planeval::python
