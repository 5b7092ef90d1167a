// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// The roll-up: Plan.rollup (a pandas DataFrame, or the arrays without pandas) and Plan.rollup_arrays.

#include <planeval/rollup.hpp>
#include <planeval/rollup_partial.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <memory>
#include <optional>
#include <span>
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

/// The rule of a roll-up: "indicator" (each indicator's own), or a rule of the registry that can
/// combine entities (rollup_supports), by planeval's name or a DHIS2 aggregation type in any letter
/// case; planeval.Error listing the ones a roll-up takes otherwise.
rollup_rule rollup_rule_arg(std::string_view name) {
  if (name == "indicator") return rollup_rule::indicator;
  if (const auto k = rules::parse_rule_kind(name); k && rollup_supports(*k)) return *k;
  std::vector<std::string_view> names{"indicator"};
  for (const auto& r : rules::rule_table)
    if (rollup_supports(r.kind)) names.push_back(r.name);
  std::string m = "rollup: rule: expected one of ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) m += i + 1 == names.size() ? " or " : ", ";
    m += '"';
    m += names[i];
    m += '"';
  }
  m += " (or a DHIS2 aggregation type such as SUM, AVERAGE, AVERAGE_SUM_ORG_UNIT, in any letter case), got \"";
  m += name;
  m += '"';
  throw error(m);
}

rollup_options parse_options(const plan& p, py::handle level, std::string_view period, bool by_stage,
                             const std::optional<std::string>& rule, std::string_view policy,
                             const std::optional<std::vector<std::string>>& indicators, int threads,
                             const std::optional<std::vector<std::string>>& also = std::nullopt) {
  rollup_options o;
  if (also)
    for (const auto& k : *also) o.also.push_back(parse_option(entity_kind_names, k, "also"));
  if (py::isinstance<py::str>(level)) {
    o.kind = parse_option(entity_kind_names, level.cast<std::string>(), "level");
  } else if (py::isinstance<py::int_>(level) && !py::isinstance<py::bool_>(level)) {
    const auto depth = level.cast<long long>();
    if (depth < 0) throw error("rollup: level: a depth must be >= 0, got " + std::to_string(depth));
    o.depth = static_cast<std::size_t>(depth);
  } else {
    throw arg_type_error("rollup: level must be an entity kind (str, e.g. 'district') or a tree depth (int)");
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
  // a rule of the registry (planeval.rule_names(), or a DHIS2 aggregation type), or "indicator"
  o.rule = rule ? rollup_rule_arg(*rule) : rollup_rule::indicator;
  o.missing = missing_policy_from(policy, "rollup: missing");
  if (indicators)
    for (const auto& id : *indicators) {
      const auto i = p.find_indicator(id);
      if (!i) throw error("rollup: indicators: unknown indicator \"" + id + "\"");
      o.indicators.push_back(*i);
    }
  o.threads = threads_arg(threads, "rollup"); // 0: every core
  return o;
}

/// Runs `f(view)` without the GIL when that is safe (see run below for why).
template <class F>
auto with_view(const plan& p, const py_observations& obs, F f) {
  const observation_view v = obs.view_for(p);
  if (obs.borrowed()) return f(v);
  const plan_read_guard reading(&p, "Plan.rollup");
  const py::gil_scoped_release release;
  return f(v);
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
  const plan_read_guard reading(&p, "Plan.rollup");
  const py::gil_scoped_release release;
  return rollup(p, v, o);
}

/// A numpy array over `v`'s buffer, moved into a capsule that the array keeps (no copy: results of
/// millions of rows are handed over, not copied).
template <class T>
py::array_t<T> owned_array(std::vector<T>&& v) {
  if (v.empty()) return py::array_t<T>(0);
  auto held = std::make_unique<std::vector<T>>(std::move(v));
  const py::capsule owner(held.get(), [](void* q) { delete static_cast<std::vector<T>*>(q); });
  const std::vector<T>* data = held.release(); // owned by the capsule from here
  return py::array_t<T>(static_cast<py::ssize_t>(data->size()), data->data(), owner);
}

/// Day numbers as datetime64[D]: one pass into int64 days, viewed as dates (no second copy).
py::array day_array(const std::vector<day_number>& days) {
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(days.size()));
  std::int64_t* d = out.mutable_data();
  for (std::size_t i = 0; i < days.size(); ++i) d[i] = days[i];
  return out.attr("view")("datetime64[D]");
}

/// The calendar year in which each period starts (the school year 2021/2022 gives 2021): periods
/// are few, so a one-entry cache makes this a pass over the column, not a date conversion per row.
py::array_t<std::int32_t> year_array(const std::vector<day_number>& start) {
  py::array_t<std::int32_t> out(static_cast<py::ssize_t>(start.size()));
  std::int32_t* y = out.mutable_data();
  day_number last_day = 0;
  std::int32_t last_year = 0;
  bool have = false;
  for (std::size_t i = 0; i < start.size(); ++i) {
    if (!have || start[i] != last_day) {
      last_day = start[i];
      last_year = from_day_number(last_day).year();
      have = true;
    }
    y[i] = last_year;
  }
  return out;
}

py::array object_array(const py::list& items) {
  return py::module_::import("numpy").attr("array")(items, "dtype"_a = "object");
}

/// The ids of the entities weighed 1 for want of the weight their indicators' definitions name.
py::list assumed_ids(const plan& p, const rollup_result& r) {
  py::list out;
  for (auto e : r.weight_assumed_entities) out.append(p.entities()[e].id);
  return out;
}

/// The dict of Plan.rollup_arrays; the result's columns are moved into it.
py::dict result_dict(const plan& p, rollup_result&& r, bool ids = true) {
  const std::size_t n = r.size();
  for (std::size_t i = 0; i < n; ++i)
    if (!r.defined[i]) r.value[i] = std::numeric_limits<double>::quiet_NaN();
  py::dict d;
  py::list rul(ids ? n : 0); // the rule column, with the ids
  if (ids) {
    std::vector<py::object> indicator_ids(p.indicators().size());
    std::vector<py::object> entity_ids(p.entities().size());
    std::array<py::object, 4> stage_names_py;
    std::vector<py::object> rule_names(rules::rule_table.size() + 1);
    py::list ind(n), ent(n), stg(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& id = indicator_ids[r.indicator[i]];
      if (!id) id = py::str(p.indicators()[r.indicator[i]].id);
      ind[i] = id;
      auto& eid = entity_ids[r.entity[i]];
      if (!eid) eid = py::str(p.entities()[r.entity[i]].id);
      ent[i] = eid;
      if (r.stage[i] < 0) {
        stg[i] = py::none();
      } else {
        auto& sid = stage_names_py[static_cast<std::size_t>(r.stage[i]) % 4];
        if (!sid) sid = py::str(std::string(to_string(static_cast<planeval::stage>(r.stage[i]))));
        stg[i] = sid;
      }
      auto& rid = rule_names[static_cast<std::size_t>(r.rule[i]) % rule_names.size()];
      if (!rid) rid = py::str(std::string(to_string(r.rule[i])));
      rul[i] = rid;
    }
    d["indicator"] = object_array(ind);
    d["entity"] = object_array(ent);
    d["stage"] = object_array(stg);
  } else {
    // numbers only (no Python object per row, for large results), the indices first
    d["indicator_index"] = owned_array(std::move(r.indicator));
    d["entity_index"] = owned_array(std::move(r.entity));
    d["stage_code"] = owned_array(std::move(r.stage));
  }
  d["period_start"] = day_array(r.start);
  d["period_end"] = day_array(r.end);
  d["period_year"] = year_array(r.start);
  d["value"] = owned_array(std::move(r.value));
  d["defined"] = owned_array(std::move(r.defined)).attr("view")("bool"); // 0 or 1: one byte, as numpy's bool
  d["units"] = owned_array(std::move(r.units));
  d["missing_units"] = owned_array(std::move(r.missing_units));
  if (ids) {
    d["rule"] = object_array(rul);
    d["indicator_index"] = owned_array(std::move(r.indicator));
    d["entity_index"] = owned_array(std::move(r.entity));
    d["stage_code"] = owned_array(std::move(r.stage));
  }
  d["rows_used"] = r.rows_used;
  d["rows_outside_level"] = r.rows_outside_level;
  d["rows_combined_in_time"] = r.rows_combined_in_time;
  d["weight_assumed"] = assumed_ids(p, r);
  return d;
}

py::dict rollup_arrays(const plan& p, const py_observations& obs, py::handle level, std::string_view period,
                       bool by_stage, const std::optional<std::string>& rule, std::string_view policy,
                       const std::optional<std::vector<std::string>>& indicators, int threads,
                       const std::optional<std::vector<std::string>>& also = std::nullopt, bool ids = true) {
  const auto options = parse_options(p, level, period, by_stage, rule, policy, indicators, threads, also);
  return result_dict(p, run(p, obs, options), ids);
}

/// One request of rollup_batch: a dict of rollup_arrays' keyword arguments.
rollup_options request_options(const plan& p, const py::dict& r) {
  static const char* const known[] = {"level",   "period",     "by_stage", "rule",
                                      "missing", "indicators", "threads",  "also"};
  for (auto item : r) {
    const auto key = item.first.cast<std::string>();
    if (std::find_if(std::begin(known), std::end(known), [&](const char* k) { return key == k; }) == std::end(known))
      throw error("rollup_batch: unknown option \"" + key +
                  "\" (expected level, period, by_stage, rule, missing, indicators, threads, also)");
  }
  auto get = [&](const char* k) { return r.contains(k) ? py::object(r[k]) : py::object(py::none()); };
  const py::object level = r.contains("level") ? py::object(r["level"]) : py::object(py::str("district"));
  const auto opt_str = [&](const char* k) {
    auto v = get(k);
    return v.is_none() ? std::optional<std::string>{} : std::optional<std::string>{v.cast<std::string>()};
  };
  const auto opt_list = [&](const char* k) {
    auto v = get(k);
    return v.is_none() ? std::optional<std::vector<std::string>>{}
                       : std::optional<std::vector<std::string>>{v.cast<std::vector<std::string>>()};
  };
  return parse_options(p, level, opt_str("period").value_or("calendar_year"),
                       !get("by_stage").is_none() && get("by_stage").cast<bool>(), opt_str("rule"),
                       opt_str("missing").value_or("skip_if_all_missing"), opt_list("indicators"),
                       get("threads").is_none() ? 1 : get("threads").cast<int>(), opt_list("also"));
}

py::list rollup_batch(const plan& p, const py_observations& obs, const py::list& requests, bool ids) {
  std::vector<rollup_options> opts;
  for (auto r : requests) {
    if (!py::isinstance<py::dict>(r)) throw arg_type_error("rollup_batch: each request must be a dict of options");
    opts.push_back(request_options(p, r.cast<py::dict>()));
  }
  auto results =
      with_view(p, obs, [&](const observation_view& v) { return rollup(p, v, std::span<const rollup_options>(opts)); });
  py::list out;
  for (auto& r : results) out.append(result_dict(p, std::move(r), ids));
  return out;
}

/// The spec of Plan.rollup_k_of_n's arguments.
k_of_n_spec k_of_n_spec_arg(const plan& p, const std::vector<std::string>& indicators, const py::dict& criteria, int k,
                            double floor) {
  k_of_n_spec spec;
  for (const auto& id : indicators) {
    const auto i = p.find_indicator(id);
    if (!i) throw error("rollup_k_of_n: indicators: unknown indicator \"" + id + "\"");
    spec.indicators.push_back(*i);
  }
  if (k < 0) throw error("rollup_k_of_n: k must be >= 0");
  spec.k = static_cast<std::uint32_t>(k);
  spec.floor = floor;
  for (auto item : criteria) {
    const auto name = item.first.cast<std::string>();
    auto st = detail::parse_name(stage_names, name);
    if (!st) st = detail::parse_name(stage_names_en, name);
    if (!st)
      throw error("rollup_k_of_n: criteria: expected stage keys " + detail::alternatives(stage_names) + ", got \"" +
                  name + "\"");
    std::vector<rules::criterion> crit;
    for (auto c : item.second.cast<py::list>()) {
      auto pair = c.cast<py::tuple>();
      if (pair.size() != 2) throw error("rollup_k_of_n: criteria: each criterion is (comparator, threshold)");
      const auto cmp = pair[0].cast<std::string>();
      auto cc = detail::parse_name(comparator_names, cmp);
      if (!cc) throw error("rollup_k_of_n: criteria: unknown comparator \"" + cmp + "\"");
      crit.push_back({*cc, pair[1].cast<double>(), ""});
    }
    spec.criteria.emplace_back(*st, std::move(crit));
  }
  return spec;
}

/// The dict of Plan.rollup_k_of_n (`ids`: with the entity id column; the ids of the few groups are
/// made once each, not once per row).
py::dict k_of_n_dict(const plan& p, k_of_n_result&& r, bool ids = true) {
  py::dict d;
  if (ids) {
    std::vector<py::object> entity_ids(p.entities().size());
    py::list ent(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
      auto& eid = entity_ids[r.entity[i]];
      if (!eid) eid = py::str(p.entities()[r.entity[i]].id);
      ent[i] = eid;
    }
    d["entity"] = object_array(ent);
  }
  d["entity_index"] = owned_array(std::move(r.entity));
  d["stage_code"] = owned_array(std::move(r.stage));
  d["period_start"] = day_array(r.start);
  d["period_end"] = day_array(r.end);
  d["period_year"] = year_array(r.start);
  d["share"] = owned_array(std::move(r.share));
  d["units"] = owned_array(std::move(r.units));
  d["passed"] = owned_array(std::move(r.passed));
  d["incomplete"] = owned_array(std::move(r.incomplete));
  return d;
}

py::dict rollup_k_of_n_arrays(const plan& p, const py_observations& obs, py::handle level, std::string_view period,
                              bool by_stage, const std::vector<std::string>& indicators, const py::dict& criteria,
                              int k, double floor, int threads) {
  const rollup_options o =
      parse_options(p, level, period, by_stage, std::nullopt, "skip_if_all_missing", std::nullopt, threads);
  const k_of_n_spec spec = k_of_n_spec_arg(p, indicators, criteria, k, floor);
  auto r = with_view(p, obs, [&](const observation_view& v) { return rollup_k_of_n(p, v, o, spec); });
  return k_of_n_dict(p, std::move(r));
}

/// Plan.rollup_k_of_n_states: the k-of-n counts of these rows as a partial (planeval.dask), computed
/// without the GIL as rollup_k_of_n is.
k_of_n_partial rollup_k_of_n_states_arrays(const plan& p, const py_observations& obs, py::handle level,
                                           std::string_view period, bool by_stage,
                                           const std::vector<std::string>& indicators, const py::dict& criteria,
                                           int k, double floor, int threads) {
  const rollup_options o =
      parse_options(p, level, period, by_stage, std::nullopt, "skip_if_all_missing", std::nullopt, threads);
  const k_of_n_spec spec = k_of_n_spec_arg(p, indicators, criteria, k, floor);
  return with_view(p, obs, [&](const observation_view& v) { return rollup_k_of_n_states(p, v, o, spec); });
}

void register_k_of_n_partial(py::module_& m, py::class_<plan>& cls) {
  py::class_<k_of_n_partial> kp(
      m, "KOfNPartial",
      "The counts of a k-of-n roll-up over some of the rows (Plan.rollup_k_of_n_states): per group,\n"
      "stage and period the units judged, passing and incomplete. Merge partials with += (or +), save\n"
      "or ship them with to_bytes / KOfNPartial.from_bytes(plan, b), and finalise(plan) for the dict\n"
      "Plan.rollup_k_of_n gives on all rows merged (pickles as its bytes, read back without its plan:\n"
      "finalise checks it). A unit is judged on all its values: the rows of one entity and period\n"
      "must be in one part (a part per school, district, province or year); merging two parts that\n"
      "both judged one entity in one period raises DataError. Merging into one partial from two\n"
      "threads at once is not safe (the GIL is released while counts merge).");
  def_partial_protocol(kp, "KOfNPartial",
                       "The partial as bytes (versioned, with the plan's fingerprint, the options, the spec and a\n"
          "checksum).");
  kp.def(
          "finalise",
          [](const k_of_n_partial& a, const plan& p, bool ids) {
            k_of_n_result r;
            {
              const plan_read_guard reading(&p, "KOfNPartial.finalise");
              const py::gil_scoped_release release;
              r = a.finalise(p);
            }
            return k_of_n_dict(p, std::move(r), ids);
          },
          "plan"_a, py::kw_only(), "ids"_a = true,
          "The k-of-n roll-up of the rows merged so far: the dict Plan.rollup_k_of_n gives on all of\n"
          "them (ids=False leaves out the entity id column).")
      .def_property_readonly("units", &k_of_n_partial::units, "Units judged so far (over all groups and periods).")
      .def("__repr__", [](const k_of_n_partial& a) {
        return a.empty() ? std::string("KOfNPartial(empty)") : "KOfNPartial(units=" + std::to_string(a.units()) + ")";
      });
  cls.def("rollup_k_of_n_states", &rollup_k_of_n_states_arrays, "observations"_a, py::kw_only(),
          "level"_a = "district", "period"_a = "calendar_year", "by_stage"_a = false, "indicators"_a, "criteria"_a,
          "k"_a, "floor"_a = 0.85, "threads"_a = 1,
          "The k-of-n roll-up of these rows as a KOfNPartial (the arguments of rollup_k_of_n): merge\n"
          "the partials of all parts and finalise. The rows of one entity and period must be in one part.");
}

/// Plan.rollup_states: the per-group states of a roll-up of these rows (planeval.rollup_partitions,
/// planeval.dask), computed without the GIL as rollup is.
rollup_partial rollup_states_arrays(const plan& p, const py_observations& obs, py::handle level,
                                    std::string_view period, bool by_stage, const std::optional<std::string>& rule,
                                    std::string_view policy, const std::optional<std::vector<std::string>>& indicators,
                                    int threads, const std::optional<std::vector<std::string>>& also) {
  if (rule)
    if (const auto k = rules::parse_rule_kind(*rule); k && !rollup_supports(*k)) {
      // a rule of the registry that cannot be merged (median, percentile...): the C++ message names
      // it and the indicators it was asked for
      auto o = parse_options(p, level, period, by_stage, std::nullopt, policy, indicators, threads, also);
      o.rule = *k;
      (void)rollup_states(p, observation_view{}, o); // throws
    }
  const auto options = parse_options(p, level, period, by_stage, rule, policy, indicators, threads, also);
  return with_view(p, obs, [&](const observation_view& v) { return rollup_states(p, v, options); });
}

void register_rollup_partial(py::module_& m, py::class_<plan>& cls) {
  py::class_<rollup_partial> rp(
      m, "RollupPartial",
      "The per-group rule states of a roll-up over some of the rows (Plan.rollup_states): merge\n"
      "partials with += (or +), save or ship them with to_bytes / RollupPartial.from_bytes(plan, b),\n"
      "and finalise(plan) for the roll-up of all rows merged: the dict Plan.rollup_arrays gives on\n"
      "all rows at once (pickles as its bytes, read back without its plan: finalise checks it).\n"
      "The rows of one indicator, entity and period must be in one part (they\n"
      "combine in time first); merging two parts that share one raises DataError. Merging into one\n"
      "partial from two threads at once is not safe (the GIL is released while states merge).");
  def_partial_protocol(rp, "RollupPartial",
                       "The partial as bytes (versioned, with the plan's fingerprint and a checksum).");
  rp.def(
          "finalise",
          [](const rollup_partial& a, const plan& p, bool ids) {
            rollup_result r;
            {
              const plan_read_guard reading(&p, "RollupPartial.finalise");
              const py::gil_scoped_release release;
              r = a.finalise(p);
            }
            return result_dict(p, std::move(r), ids);
          },
          "plan"_a, py::kw_only(), "ids"_a = true,
          "The roll-up of the rows merged so far: the dict Plan.rollup_arrays gives on all of them.")
      .def_property_readonly("rows_used", &rollup_partial::rows_used, "Input rows that entered a group so far.")
      .def("__repr__", [](const rollup_partial& a) {
        return a.empty() ? std::string("RollupPartial(empty)")
                         : "RollupPartial(rows_used=" + std::to_string(a.rows_used()) + ")";
      });
  cls.def("rollup_states", &rollup_states_arrays, "observations"_a, py::kw_only(), "level"_a = "district",
          "period"_a = "calendar_year", "by_stage"_a = false, "rule"_a = py::none(),
          "missing"_a = "skip_if_all_missing", "indicators"_a = py::none(), "threads"_a = 1, "also"_a = py::none(),
          "The roll-up of these rows as a RollupPartial (the arguments of rollup_arrays): merge the\n"
          "partials of all parts and finalise. Non-mergeable rules (median, percentile) are refused.");
}

constexpr const char* rollup_doc =
    "Roll observations up to a level of the entity tree and to calendar or school years.\n\n"
    "level: an entity kind ('district', 'stage', 'school'...; each row goes to its nearest\n"
    "  ancestor-or-self of that kind) or a tree depth (0 = the roots).\n"
    "period: 'calendar_year', 'school_year' (1 Sep - 31 Aug) or 'all' (the whole data window).\n"
    "by_stage: split each group by the stage of the observed entity.\n"
    "rule: None (each indicator's own: count/amount sum, rate/ratio weighted mean) or a rule of\n"
    "  planeval.rule_names() that combines units: 'sum', 'count', 'mean', 'min', 'max',\n"
    "  'weighted_mean', 'variance', 'stddev', 'cv', 'cv_unweighted' (or a DHIS2 aggregation type:\n"
    "  SUM, AVERAGE, AVERAGE_SUM_ORG_UNIT, COUNT, MIN, MAX, STDDEV, VARIANCE; any letter case).\n"
    "missing: 'skip_if_all_missing' (default), 'skip_if_any_missing' or 'never_skip', or DHIS2's\n"
    "  SKIP_IF_ALL_VALUES_MISSING, SKIP_IF_ANY_VALUE_MISSING, NEVER_SKIP, in any letter case.\n"
    "indicators: None (all) or a list of indicator ids. threads: threads for the pass over the rows\n"
    "  (0: every core; 1: this thread only; the result does not depend on it).\n\n"
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
          "missing"_a = "skip_if_all_missing", "indicators"_a = py::none(), "threads"_a = 1, "also"_a = py::none(),
          "ids"_a = true,
          (std::string(rollup_doc) +
           "\n\nReturns a dict of numpy arrays, one row per (indicator, entity, stage, period) with data:\n"
           "indicator, entity (ids), stage (str or None), period_start, period_end (datetime64[D]),\n"
           "period_year (int32: the calendar year the period starts in),\n"
           "value (NaN where not defined), defined, units, missing_units, rule, indicator_index,\n"
           "entity_index, stage_code (-1 none, 0 幼儿园 .. 3 高中); and the counts rows_used,\n"
           "rows_outside_level, rows_combined_in_time (int), weight_assumed (entity ids weighed 1).\n"
           "also: coarser levels (entity kinds) reported too, from merged states (rows read once).\n"
           "ids=False leaves out the per-row id and name columns (indices only: faster for large results).")
              .c_str());
  cls.def("rollup_batch", &rollup_batch, "observations"_a, "requests"_a, py::kw_only(), "ids"_a = true,
          "Several roll-ups in one pass over the rows: `requests` is a list of dicts of rollup_arrays'\n"
          "options (level, period, by_stage, rule, missing, indicators, threads, also). Returns a list\n"
          "of result dicts as rollup_arrays gives, in order. The GIL is released as for rollup.");
  cls.def("rollup_k_of_n", &rollup_k_of_n_arrays, "observations"_a, py::kw_only(), "level"_a = "district",
          "period"_a = "calendar_year", "by_stage"_a = false, "indicators"_a, "criteria"_a, "k"_a, "floor"_a = 0.85,
          "threads"_a = 1,
          "Share of units (observed entities) passing at least k of n criteria, with every other one\n"
          "reaching floor x its threshold (优质均衡: k=6 of 7, floor=0.85), per group and period.\n"
          "indicators: the n indicator ids; criteria: {stage: [(comparator, threshold), ...]} in the\n"
          "order of indicators (units of other stages are not judged). A missing value fails its\n"
          "criterion. Returns a dict of arrays: entity, entity_index, stage_code, period_start,\n"
          "period_end, share, units, passed, incomplete (units judged with a value missing).");
  // Plan.rollup (a pandas DataFrame from rollup_arrays) is defined in Python: planeval/_plan.py
  register_rollup_partial(m, cls);
  register_k_of_n_partial(m, cls);
}

} // namespace planeval::python
