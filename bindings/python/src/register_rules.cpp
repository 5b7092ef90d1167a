// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Aggregation rules: the rule state classes of planeval.rules (Sum ... Percentile) and aggregate().
//
// Every rule state is a value type (__eq__, copy, pickle through to_bytes/from_bytes, whose header
// carries the archive format version). observe() takes numpy arrays and loops in C++; it holds the
// GIL, because the state belongs to a Python object another thread could use at the same time.
// aggregate() converts its inputs into vectors it owns, checks them, and runs the loop on a local
// state without the GIL. Inputs are checked before any state changes, so a bad value leaves the
// state as it was. The API conventions (README): values are numbers or a scalar (a str raises
// TypeError), NaN (or None) is a missing value, as is a position marked in the boolean mask
// missing_mask=; ±inf raises DataError naming values[i]; weights must be finite and >= 0,
// denominators finite. The missing-value policy is missing= (a name: planeval's or DHIS2's, any
// letter case); the old policy= keyword and a mask given as missing= still work with a FutureWarning.
//
// The rules and their names come from the registry (planeval/rules/kind.hpp): aggregate() looks
// the rule up there and runs a loop compiled for its type through rules::visit.

#include <planeval/detail/archive.hpp>
#include <planeval/detail/format_number.hpp>
#include <planeval/rules.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "numpy_columns.hpp"

namespace planeval::python {

namespace {

using namespace pybind11::literals;

/// What observe() takes: the registry's rule_input (rules/kind.hpp).
using shape = rules::rule_input;

/// The Python class name of each rule type, and what it observes (the registry's row of `kind`).
template <class R>
struct traits;
#define PLANEVAL_RULE_TRAITS(type, python_name, rule)                                                                  \
  template <>                                                                                                          \
  struct traits<type> {                                                                                                \
    static constexpr const char* name = python_name;                                                                   \
    static constexpr shape in = rules::info(rules::rule_kind::rule).input;                                             \
  };
PLANEVAL_RULE_TRAITS(rules::sum, "Sum", sum)
PLANEVAL_RULE_TRAITS(rules::count, "Count", count)
PLANEVAL_RULE_TRAITS(rules::mean, "Mean", mean)
PLANEVAL_RULE_TRAITS(rules::min, "Min", min)
PLANEVAL_RULE_TRAITS(rules::max, "Max", max)
PLANEVAL_RULE_TRAITS(rules::first, "First", first)
PLANEVAL_RULE_TRAITS(rules::last, "Last", last)
PLANEVAL_RULE_TRAITS(rules::weighted_mean, "WeightedMean", weighted_mean)
PLANEVAL_RULE_TRAITS(rules::ratio_of_sums, "RatioOfSums", ratio_of_sums)
PLANEVAL_RULE_TRAITS(rules::mean_of_ratios, "MeanOfRatios", mean_of_ratios)
PLANEVAL_RULE_TRAITS(rules::variance, "Variance", variance)
PLANEVAL_RULE_TRAITS(rules::stddev, "StdDev", stddev)
PLANEVAL_RULE_TRAITS(rules::cv, "CV", cv)
PLANEVAL_RULE_TRAITS(rules::share_meeting, "ShareMeeting", share_meeting)
PLANEVAL_RULE_TRAITS(rules::count_meeting, "CountMeeting", count_meeting)
PLANEVAL_RULE_TRAITS(rules::year_over_year, "YearOverYear", year_over_year)
PLANEVAL_RULE_TRAITS(rules::structure_shares, "StructureShares", structure_shares)
PLANEVAL_RULE_TRAITS(rules::median, "Median", median)
PLANEVAL_RULE_TRAITS(rules::percentile, "Percentile", percentile)
PLANEVAL_RULE_TRAITS(rules::k_of_n, "KOfN", k_of_n)
#undef PLANEVAL_RULE_TRAITS

constexpr rules::missing_policy default_policy = rules::missing_policy::skip_if_all_missing;

/// Raises a FutureWarning (an error if warnings are turned into errors).
void warn_future(const std::string& message) {
  if (PyErr_WarnEx(PyExc_FutureWarning, message.c_str(), 2) < 0) throw py::error_already_set();
}

/// The missing-value policy of a rule constructor or aggregate(): `missing` (a name, planeval's
/// or DHIS2's, any letter case; None: skip_if_all_missing), or the old keyword `policy` with a
/// FutureWarning. planeval.Error naming `who` and the allowed names for an unknown name.
rules::missing_policy policy_arg(py::handle missing, py::handle policy, const std::string& who) {
  if (!policy.is_none()) {
    if (!missing.is_none()) throw error(who + ": give missing= only (policy= is its old name)");
    warn_future(who + ": policy= is now missing= (policy= will be removed)");
    if (!py::isinstance<py::str>(policy)) throw arg_type_error(who + ": policy: expected a str");
    return rules::missing_policy_from(policy.cast<std::string>(), "policy");
  }
  if (missing.is_none()) return default_policy;
  if (!py::isinstance<py::str>(missing))
    throw arg_type_error(who + ": missing: expected the missing-value policy (a str such as 'skip_if_all_missing'), got " +
                         py_type_name(missing) + "; a boolean mask of missing values is missing_mask=");
  return rules::missing_policy_from(missing.cast<std::string>(), "missing");
}

/// The boolean mask of an observe() or aggregate() call: `missing_mask`, or (old spelling) a
/// non-string `missing` with a FutureWarning.
py::object mask_arg(py::handle missing_mask, py::handle missing, const std::string& who) {
  if (missing.is_none()) return py::reinterpret_borrow<py::object>(missing_mask);
  if (py::isinstance<py::str>(missing))
    throw error(who + ": missing= names the missing-value policy, which is the rule state's (give it to the "
                      "constructor); a boolean mask of missing values is missing_mask=");
  if (!missing_mask.is_none()) throw error(who + ": give missing_mask= only (missing= is its old name for a mask)");
  warn_future(who + ": a boolean mask is now missing_mask= (missing= is the missing-value policy)");
  return py::reinterpret_borrow<py::object>(missing);
}

rules::ddof parse_ddof(int d, const char* rule) {
  if (d == 0) return rules::ddof::population;
  if (d == 1) return rules::ddof::sample;
  throw error(std::string(rule) + ": ddof must be 0 (population) or 1 (sample), got " + std::to_string(d));
}

comparator parse_comparator(std::string_view s, const char* rule) {
  if (auto c = detail::parse_name(comparator_names, s); c && detail::is_threshold_comparator(*c)) return *c;
  throw error(std::string(rule) + ": comparator must be \">=\", \">\", \"<=\", \"<\" or \"=\", got \"" +
              std::string(s) + "\"");
}

// --- inputs ------------------------------------------------------------------------------------

/// Converted, owned inputs of one observe() or aggregate() call.
struct inputs {
  std::vector<double> x;          ///< values, numerators or amounts
  std::vector<double> w;          ///< weights or denominators; empty: none given
  std::vector<std::int64_t> key;  ///< years or categories
  std::vector<std::uint8_t> miss; ///< 1 where missing; empty: none missing
};

/// Numbers (an array or a scalar) by the API conventions: None and NaN stay NaN (missing), a str
/// raises TypeError, ±inf DataError naming the position (values_arg).
std::vector<double> doubles(py::handle obj, const std::string& name) {
  const py::array_t<double> a = values_arg(obj, name);
  return {a.data(), a.data() + a.size()};
}

std::string at(const char* name, std::size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

/// Converts and checks the arguments of rule R; DataError naming the argument and index otherwise.
template <class R>
inputs convert(const R& r, py::handle first, py::handle second, py::handle missing_mask,
               const char* mask_name = "missing_mask") {
  constexpr shape sh = traits<R>::in;
  inputs in;
  const char* value_name = "values";
  const char* weight_name = sh == shape::numerators_denominators ? "weights (denominators)" : "weights";
  std::size_t n = 0;
  if constexpr (sh == shape::years_values || sh == shape::categories_amounts || sh == shape::dates_values) {
    const char* key_name = sh == shape::years_values ? "years" : sh == shape::dates_values ? "dates" : "categories";
    value_name = sh == shape::categories_amounts ? "amounts" : "values";
    py::array k = as_1d(first, key_name);
    if constexpr (sh == shape::dates_values) {
      // dates (datetime64 or datetime.date objects) become Julian day numbers, the rules' day
      // numbering: days since 1970-01-01 plus 2440588 (the Julian day number of 1970-01-01)
      if (k.dtype().kind() == 'M' || k.dtype().kind() == 'O')
        k = py::array(k.attr("astype")("datetime64[D]").attr("astype")("int64").attr("__add__")(2440588));
    }
    if (k.shape(0) > 0 && k.dtype().kind() != 'i' && k.dtype().kind() != 'u')
      throw data_error(std::string(key_name) + ": expected integers, got dtype " + dtype_name(k));
    if constexpr (sh == shape::years_values) {
      const auto years = checked_integers<std::int32_t>(k, key_name);
      in.key.assign(years.begin(), years.end());
    } else {
      in.key = checked_integers<std::int64_t>(k, key_name);
    }
    in.x = doubles(second, value_name);
    n = in.key.size();
    require_rows(in.x.size(), n, value_name, key_name);
  } else {
    in.x = doubles(first, value_name);
    n = in.x.size();
    if (!second.is_none()) {
      in.w = doubles(second, "weights");
      require_rows(in.w.size(), n, "weights", "values");
    }
  }
  if (!missing_mask.is_none()) {
    in.miss = mask_values(missing_mask, mask_name);
    require_rows(in.miss.size(), n, mask_name, value_name);
  }
  // NaN (or None) is a missing value: it joins the mask
  for (std::size_t i = 0; i < n; ++i)
    if (std::isnan(in.x[i])) {
      if (in.miss.empty()) in.miss.assign(n, 0);
      in.miss[i] = 1;
    }
  for (std::size_t i = 0; i < n; ++i) {
    const bool is_missing = !in.miss.empty() && in.miss[i];
    if (!in.w.empty()) {
      const double w = in.w[i];
      if (sh == shape::numerators_denominators && !std::isfinite(w))
        throw data_error(at("weights", i) + " (a denominator) is " + detail::format_number(w) +
                         "; denominators must be finite");
      if (sh != shape::numerators_denominators && !(std::isfinite(w) && w >= 0))
        throw data_error(at(weight_name, i) + " is " + detail::format_number(w) + "; weights must be finite and >= 0");
    }
    if constexpr (sh == shape::categories_amounts) {
      const auto categories = static_cast<std::int64_t>(r.target().size());
      if (in.key[i] < 0 || in.key[i] >= categories)
        throw data_error(at("categories", i) + " is " + std::to_string(in.key[i]) + "; expected 0 to " +
                         std::to_string(categories - 1) + " (one per target share)");
      if (!is_missing && in.x[i] < 0)
        throw data_error(at("amounts", i) + " is " + detail::format_number(in.x[i]) + "; amounts must be >= 0");
    }
  }
  (void)r;
  return in;
}

/// Observes every row of `in` (already checked) in `r`.
template <class R>
void observe_all(R& r, const inputs& in) {
  constexpr shape sh = traits<R>::in;
  const bool has_w = !in.w.empty(), has_m = !in.miss.empty();
  const std::size_t n = in.x.size();
  for (std::size_t i = 0; i < n; ++i) {
    const bool m = has_m && in.miss[i];
    if constexpr (sh == shape::values) {
      if (m)
        r.missing();
      else
        r(in.x[i]);
    } else if constexpr (sh == shape::values_weights) {
      if (has_w) {
        if (m)
          r.missing(in.w[i]);
        else
          r(in.x[i], in.w[i]);
      } else if (m) {
        r.missing();
      } else {
        r(in.x[i]);
      }
    } else if constexpr (sh == shape::values_weights_required || sh == shape::numerators_denominators) {
      if (m)
        r.missing(in.w[i]);
      else
        r(in.x[i], in.w[i]);
    } else if constexpr (sh == shape::years_values) {
      const auto year = static_cast<std::int32_t>(in.key[i]);
      if (m)
        r.missing(year);
      else
        r(year, in.x[i]);
    } else if constexpr (sh == shape::dates_values) {
      if (m)
        r.missing(in.key[i]);
      else
        r(in.x[i], in.key[i]);
    } else {
      const auto category = static_cast<std::size_t>(in.key[i]);
      if (m)
        r.missing(category);
      else
        r(category, in.x[i]);
    }
  }
}

/// TypeError unless the weights argument fits rule R (`who` names the caller).
template <class R>
void check_weights_argument(py::handle weights, const std::string& who) {
  constexpr shape sh = traits<R>::in;
  if (sh == shape::values && !weights.is_none()) throw arg_type_error(who + " takes no weights");
  if ((sh == shape::values_weights_required || sh == shape::numerators_denominators) && weights.is_none())
    throw arg_type_error(who + (sh == shape::numerators_denominators ? " needs weights= (the denominators)" : " needs weights="));
}

// --- repr --------------------------------------------------------------------------------------

std::string pyrepr(double x) { return py::repr(py::float_(x)); }

template <class R>
std::string parameters(const R& r) {
  std::string s;
  const auto add = [&](const std::string& p) { s += p + ", "; };
  if constexpr (std::is_same_v<R, rules::ratio_of_sums> || std::is_same_v<R, rules::mean_of_ratios>) {
    if (r.factor() != 1) add("factor=" + pyrepr(r.factor()));
  } else if constexpr (std::is_same_v<R, rules::variance> || std::is_same_v<R, rules::stddev>) {
    if (r.correction() == rules::ddof::sample) add("ddof=1");
  } else if constexpr (std::is_same_v<R, rules::cv>) {
    if (r.weighting() == rules::cv_weighting::unweighted) add("weighted=False");
    if (r.correction() == rules::ddof::sample) add("ddof=1");
  } else if constexpr (std::is_same_v<R, rules::share_meeting> || std::is_same_v<R, rules::count_meeting>) {
    add("comparator='" + std::string(to_string(r.comparator())) + "'");
    add("threshold=" + pyrepr(r.threshold()));
  } else if constexpr (std::is_same_v<R, rules::year_over_year>) {
    if (r.strict()) add("strict=True");
  } else if constexpr (std::is_same_v<R, rules::structure_shares>) {
    add("target=" + std::string(py::repr(py::cast(r.target()))));
    add("tolerance=" + pyrepr(r.tolerance()));
  } else if constexpr (std::is_same_v<R, rules::percentile>) {
    add("q=" + pyrepr(r.q()));
  } else if constexpr (std::is_same_v<R, rules::k_of_n>) {
    add("criteria=" + std::to_string(r.criteria().size()));
    add("k=" + std::to_string(r.k()));
    add("floor=" + pyrepr(r.floor()));
  }
  if (r.policy() != default_policy) add("policy='" + std::string(to_string(r.policy())) + "'");
  return s;
}

template <class R>
std::string rule_repr(const R& r) {
  const auto v = r.value();
  return std::string(traits<R>::name) + "(" + parameters(r) + "value=" + (v ? pyrepr(*v) : std::string("None")) +
         ", count=" + std::to_string(r.count()) + ", missing_count=" + std::to_string(r.missing_count()) + ")";
}

// --- the classes -------------------------------------------------------------------------------

template <class R>
value_class<R> rule_class(py::module_& m, const char* doc) {
  constexpr shape sh = traits<R>::in;
  [[maybe_unused]] const std::string name = traits<R>::name;
  value_class<R> c(m, traits<R>::name, doc, {});
  // Pickles and reprs name the public module, which re-exports the class.
  c.attr("__module__") = "planeval.rules";
  c.attr("mergeable") = py::bool_(R::mergeable);
  c.attr("rule") = py::str(std::string(R::name));
  c.def("__repr__", &rule_repr<R>);
  c.def_property_readonly(
      "value", [](const R& r) { return r.value(); }, "The rule's value, or None when it has none");
  c.def_property_readonly(
      "count", [](const R& r) { return r.count(); }, "Present values observed");
  c.def_property_readonly(
      "missing_count", [](const R& r) { return r.missing_count(); }, "Missing values observed");
  c.def_property_readonly(
      "missing", [](const R& r) { return std::string(to_string(r.policy())); },
      "Missing-value policy: 'skip_if_all_missing', 'skip_if_any_missing' or 'never_skip'");
  c.def_property_readonly(
      "policy", [](const R& r) { return std::string(to_string(r.policy())); },
      "The missing-value policy (the old name of `missing`)");

  if constexpr (sh == shape::unit_rows) {
    // KOfN defines its own observe (see k_of_n_rule)
  } else if constexpr (sh == shape::years_values || sh == shape::categories_amounts || sh == shape::dates_values) {
    const char* key = sh == shape::years_values ? "years" : sh == shape::dates_values ? "dates" : "categories";
    const char* values = sh == shape::categories_amounts ? "amounts" : "values";
    c.def(
        "observe",
        [name](py::object self, py::handle keys, py::handle xs, py::handle missing_mask, py::handle missing) {
          R& r = self.cast<R&>();
          const inputs in = convert(r, keys, xs, mask_arg(missing_mask, missing, name + ".observe"),
                                    missing.is_none() ? "missing_mask" : "missing");
          observe_all(r, in);
          return self;
        },
        py::arg(key), py::arg(values), "missing_mask"_a = py::none(), py::kw_only(), "missing"_a = py::none(),
        sh == shape::dates_values
            ? "Observe each value on its date (datetime64 or datetime.date, or Julian day numbers as ints).\n"
              "`missing_mask`: an optional boolean mask of values not reported (0 on that date under never_skip).\n"
              "Checks every input before changing the state. Returns self."
        : sh == shape::years_values
            ? "Add each value to its year (arrays of equal length). `missing`: an optional boolean mask of\n"
              "values not reported (their value is ignored; under never_skip the year counts as observed).\n"
              "Checks every input before changing the state. Returns self."
            : "Add each amount (>= 0) to its category (0-based, one per target share). `missing`: an optional\n"
              "boolean mask of amounts not reported (their value is ignored). Checks every input before\n"
              "changing the state. Returns self.");
  } else {
    c.def(
        "observe",
        [name](py::object self, py::handle values, py::handle weights, py::handle missing_mask, py::handle missing) {
          check_weights_argument<R>(weights, name + ".observe");
          R& r = self.cast<R&>();
          const inputs in = convert(r, values, weights, mask_arg(missing_mask, missing, name + ".observe"),
                                    missing.is_none() ? "missing_mask" : "missing");
          observe_all(r, in);
          return self;
        },
        "values"_a, "weights"_a = py::none(), "missing_mask"_a = py::none(), py::kw_only(), "missing"_a = py::none(),
        "Observe values (an array or a number; and weights or denominators where the rule takes them).\n"
        "NaN or None is a missing value, as is a position marked in `missing_mask` (an optional boolean\n"
        "mask; the state's missing policy decides what missing values do); ±inf raises DataError, text\n"
        "TypeError. Checks every input before changing the state. Returns self. (A mask given as\n"
        "missing= still works, with a FutureWarning.)");
  }

  if constexpr (R::mergeable) {
    c.def(
        "__iadd__",
        [](R& a, const R& b) -> R& {
          a += b;
          return a;
        },
        py::is_operator(), py::return_value_policy::reference);
    c.def(
        "__add__",
        [](const R& a, const R& b) {
          R out = a;
          out += b;
          return out;
        },
        py::is_operator());
    c.def(
        "merge",
        [](py::object self, const R& other) {
          self.cast<R&>() += other;
          return self;
        },
        "other"_a,
        "Merge another partial state into this one (the one-pass result of both); returns self.\n"
        "Raises Error if the parameters differ (an empty default state merges with anything).");
  }

  c.def(
      "to_bytes", [](const R& r) { return py::bytes(to_bytes(r)); },
      "The state as bytes (header 'pvr', archive format version, rule name, state, checksum)");
  const py::object classmethod = py::module_::import("builtins").attr("classmethod");
  c.attr("from_bytes") = classmethod(py::cpp_function(
      [](py::handle /*cls*/, const py::bytes& data) { return from_bytes<R>(std::string(data)); },
      py::name("from_bytes"), "cls"_a, "data"_a,
      "A state read from to_bytes() output; Error if the bytes are corrupt, of another format version\n"
      "or of another rule."));
  // pickle state: (version, bytes); version 1 is to_bytes() (whose header has its own archive format
  // version). States pickled as bare bytes (before the version was added) still load.
  c.def(py::pickle([](const R& r) { return py::make_tuple(1, py::bytes(to_bytes(r))); },
                   [](const py::object& state) {
                     if (py::isinstance<py::bytes>(state)) return from_bytes<R>(state.cast<std::string>());
                     if (!py::isinstance<py::tuple>(state) || py::len(state) != 2)
                       throw error(std::string(traits<R>::name) + ": invalid pickled state");
                     const py::tuple t = state.cast<py::tuple>();
                     const auto version = t[0].cast<long long>();
                     if (version != 1)
                       throw error(std::string(traits<R>::name) + ": pickled state of unknown version " +
                                   std::to_string(version) + " (this planeval reads version 1)");
                     return from_bytes<R>(t[1].cast<std::string>());
                   }));
  return c;
}

template <class R>
void simple_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](py::handle missing, py::handle policy) { return R(policy_arg(missing, policy, traits<R>::name)); }), py::kw_only(),
        "missing"_a = py::none(), "policy"_a = py::none());
}

template <class R>
void dated_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](py::handle missing, py::handle policy) { return R(policy_arg(missing, policy, traits<R>::name)); }), py::kw_only(),
        "missing"_a = py::none(), "policy"_a = py::none());
  c.def_property_readonly(
      "date",
      [](const R& r) -> std::optional<planeval::date> {
        if (!r.day()) return std::nullopt;
        return planeval::date(boost::gregorian::gregorian_calendar::from_day_number(
            static_cast<boost::gregorian::date::date_int_type>(*r.day())));
      },
      "The date of the value kept, or None");
}

template <class R>
void sum_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](py::handle missing, py::handle policy) { return R(policy_arg(missing, policy, traits<R>::name)); }), py::kw_only(),
        "missing"_a = py::none(), "policy"_a = py::none());
  c.def_property_readonly(
      "sum", [](const R& r) { return r.sum(); }, "Σx over the aggregated values (0 for Count)");
}

template <class R>
void ratio_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](double factor, py::handle missing, py::handle policy) { return R(factor, policy_arg(missing, policy, traits<R>::name)); }),
        "factor"_a = 1.0, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
  c.def_property_readonly(
      "factor", [](const R& r) { return r.factor(); }, "Scale of the quotient (100 for a percentage)");
}

template <class R>
void variance_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](int ddof, py::handle missing, py::handle policy) {
          return R(parse_ddof(ddof, traits<R>::name), policy_arg(missing, policy, traits<R>::name));
        }),
        "ddof"_a = 0, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
  c.def_property_readonly(
      "ddof", [](const R& r) { return static_cast<int>(r.correction()); }, "0 (population) or 1 (sample)");
  c.def_property_readonly(
      "variance", [](const R& r) { return r.variance(); }, "The variance, or None");
  c.def_property_readonly(
      "mean", [](const R& r) { return r.mean(); }, "The (weighted) mean, or None");
  c.def_property_readonly(
      "sum_of_weights", [](const R& r) { return r.sum_of_weights(); }, "Σw (n when unweighted)");
}

template <class R>
void meeting_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](std::string_view comp, double threshold, py::handle missing, py::handle policy) {
          return R(parse_comparator(comp, traits<R>::name), threshold, policy_arg(missing, policy, traits<R>::name));
        }),
        "comparator"_a = ">=", "threshold"_a = 0.0, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
  c.def_property_readonly(
      "comparator", [](const R& r) { return std::string(to_string(r.comparator())); }, "'>=', '>', '<=', '<' or '='");
  c.def_property_readonly(
      "threshold", [](const R& r) { return r.threshold(); }, "The standard's threshold");
  c.def_property_readonly(
      "met", [](const R& r) { return r.met(); }, "Units meeting the standard");
  c.def_property_readonly(
      "compared", [](const R& r) { return r.compared(); },
      "Units compared (present ones, plus missing ones under never_skip)");
}

template <class R>
py::array_t<double> values_array(const R& r) {
  const auto& v = r.values();
  return py::array_t<double>(static_cast<py::ssize_t>(v.size()), v.data());
}

/// A 2-D C-contiguous float64 copy of `obj` (units × criteria) with `cols` columns; DataError otherwise.
py::array_t<double, py::array::c_style> unit_matrix(py::handle obj, std::size_t cols, const char* name) {
  py::array a = py::module_::import("numpy").attr("asarray")(obj);
  if (a.dtype().kind() == 'U' || a.dtype().kind() == 'S')
    throw arg_type_error(std::string(name) + ": expected numbers, got text (dtype " + dtype_name(a) +
                         "); text is parsed by the readers (read_csv, read_excel)");
  if (a.ndim() == 1 && a.shape(0) == 0) a = a.attr("reshape")(0, static_cast<py::ssize_t>(cols));
  if (a.ndim() != 2)
    throw data_error(std::string(name) + ": expected a 2-D array (one row per unit, one column per criterion), got " +
                     std::to_string(a.ndim()) + " dimension(s)");
  if (static_cast<std::size_t>(a.shape(1)) != cols)
    throw data_error(std::string(name) + ": expected " + std::to_string(cols) + " columns (one per criterion), got " +
                     std::to_string(a.shape(1)));
  return py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
}

void k_of_n_rule(py::module_& m) {
  using rules::k_of_n;
  {
    py::class_<rules::unit_result> u(m, "UnitResult", "How one unit fared against the criteria of a KOfN rule");
    u.attr("__module__") = "planeval.rules";
    u.def_readonly("unit", &rules::unit_result::unit, "The unit id");
    u.def_readonly("passed", &rules::unit_result::passed,
                   "At least k criteria met and every other one above the floor");
    u.def_readonly("met_count", &rules::unit_result::met_count, "Criteria met");
    u.def_readonly("failing", &rules::unit_result::failing, "Criteria not met (indices; missing ones included)");
    u.def_readonly("below_floor", &rules::unit_result::below_floor,
                   "Criteria not met and below the floor (indices; missing ones included)");
    u.def_readonly("missing", &rules::unit_result::missing, "Criteria whose value was missing (indices)");
    u.def_readonly("ratios", &rules::unit_result::ratios, "value / threshold per criterion; None where missing");
    u.def(
        "__eq__", [](const rules::unit_result& a, const rules::unit_result& b) { return a == b; }, py::is_operator());
    u.def("__repr__", [](const rules::unit_result& r) {
      return "UnitResult(unit=" + std::to_string(r.unit) + ", passed=" + (r.passed ? "True" : "False") +
             ", met_count=" + std::to_string(r.met_count) + ", failing=" + std::string(py::repr(py::cast(r.failing))) +
             ", below_floor=" + std::string(py::repr(py::cast(r.below_floor))) + ")";
    });
  }
  auto c = rule_class<k_of_n>(
      m, "Share of units meeting at least k of n criteria, every unmet one reaching floor × its threshold\n"
         "(优质均衡: 6 of 7, floor 0.85; 教督〔2017〕6号). criteria: (comparator, threshold[, label]) with\n"
         ">=, >, <= or < and threshold > 0; for <= / < the floor means value <= threshold / floor. A\n"
         "missing value counts as not met and below the floor (never_skip: evaluated as 0) and is flagged.\n"
         "observe(values, units=None, missing=None): one row per unit. KOfN() with no criteria is the\n"
         "empty identity. Mergeable (a unit may be recorded only once across merged states).");
  c.def(py::init([](const std::optional<std::vector<py::tuple>>& criteria, std::optional<std::uint32_t> k, double floor,
                    py::handle missing, py::handle policy) {
          const auto p = policy_arg(missing, policy, "KOfN");
          if (!criteria || criteria->empty()) {
            if (k || floor != 0.85 || p != default_policy)
              throw error("KOfN: give the criteria, e.g. [('>=', 4.2, '生师比'), ...]");
            return k_of_n();
          }
          std::vector<rules::criterion> cs;
          for (std::size_t i = 0; i < criteria->size(); ++i) {
            const py::tuple& t = (*criteria)[i];
            const std::string where = "KOfN: criteria[" + std::to_string(i) + "]";
            if (t.size() != 2 && t.size() != 3)
              throw error(where + ": expected (comparator, threshold) or (comparator, threshold, label)");
            rules::criterion cr;
            const auto comp = t[0].cast<std::string>();
            const auto parsed = detail::parse_name(comparator_names, comp);
            if (!parsed)
              throw error(where + ": comparator must be \">=\", \">\", \"<=\" or \"<\", got \"" + comp + "\"");
            cr.comparator = *parsed;
            cr.threshold = t[1].cast<double>();
            if (t.size() == 3) cr.label = t[2].cast<std::string>();
            cs.push_back(std::move(cr));
          }
          const auto n = static_cast<std::uint32_t>(cs.size());
          return k_of_n(std::move(cs), k.value_or(n), floor, p);
        }),
        "criteria"_a = py::none(), "k"_a = py::none(), "floor"_a = 0.85, py::kw_only(),
        "missing"_a = py::none(), "policy"_a = py::none());
  c.def(
      "observe",
      [](py::object self, py::handle values, py::handle units, py::handle mask, py::handle missing) {
        const py::object missing_mask = mask_arg(mask, missing, "KOfN.observe");
        k_of_n& r = self.cast<k_of_n&>();
        const std::size_t n = r.criteria().size();
        if (n == 0) throw error("KOfN.observe: the empty KOfN() has no criteria; construct it with criteria");
        const auto x = unit_matrix(values, n, "values");
        const auto rows = static_cast<std::size_t>(x.shape(0));
        std::vector<std::uint8_t> miss;
        if (!missing_mask.is_none()) {
          py::array mm = py::module_::import("numpy").attr("asarray")(missing_mask);
          if (mm.dtype().kind() != 'b')
            throw data_error("missing_mask: expected a boolean mask, got dtype " + dtype_name(mm));
          if (mm.ndim() != 2 || static_cast<std::size_t>(mm.shape(0)) != rows ||
              static_cast<std::size_t>(mm.shape(1)) != n)
            throw data_error("missing_mask: expected the shape of values (" + std::to_string(rows) + ", " +
                             std::to_string(n) + ")");
          const auto b = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(mm);
          miss.assign(b.data(), b.data() + rows * n);
        }
        std::vector<std::uint32_t> ids;
        if (units.is_none()) {
          // continue after the largest unit recorded
          const std::uint64_t start = r.results().empty() ? 0 : std::uint64_t{r.results().back().unit} + 1;
          if (start + rows > std::uint64_t{0xFFFFFFFFu} + 1) throw data_error("units: ids beyond 2**32 - 1");
          for (std::size_t i = 0; i < rows; ++i) ids.push_back(static_cast<std::uint32_t>(start + i));
        } else {
          const py::array ua = as_1d(units, "units");
          if (ua.shape(0) > 0 && ua.dtype().kind() != 'i' && ua.dtype().kind() != 'u')
            throw data_error("units: expected integers, got dtype " + dtype_name(ua));
          ids = checked_integers<std::uint32_t>(ua, "units");
          require_rows(ids.size(), rows, "units", "values");
        }
        // check everything before changing the state; NaN is a missing value
        const double* px = x.data();
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < n; ++j) {
            const double v = px[i * n + j];
            if (std::isnan(v)) {
              if (miss.empty()) miss.assign(rows * n, 0);
              miss[i * n + j] = 1;
            } else if ((miss.empty() || !miss[i * n + j]) && std::isinf(v)) {
              throw data_error("values[" + std::to_string(i) + ", " + std::to_string(j) +
                               "]: expected a finite number or NaN (missing), got " + (v > 0 ? "inf" : "-inf"));
            }
          }
        {
          std::vector<std::uint32_t> sorted = ids;
          std::sort(sorted.begin(), sorted.end());
          for (std::size_t i = 1; i < sorted.size(); ++i)
            if (sorted[i] == sorted[i - 1])
              throw data_error("units: unit " + std::to_string(sorted[i]) + " appears twice");
          for (const auto& res : r.results())
            if (std::binary_search(sorted.begin(), sorted.end(), res.unit))
              throw data_error("units: unit " + std::to_string(res.unit) + " was observed before");
        }
        std::unique_ptr<bool[]> present(new bool[n]);
        for (std::size_t i = 0; i < rows; ++i) {
          for (std::size_t j = 0; j < n; ++j) present[j] = miss.empty() || !miss[i * n + j];
          r(ids[i], std::span<const double>(px + i * n, n), std::span<const bool>(present.get(), n));
        }
        return self;
      },
      "values"_a, "units"_a = py::none(), "missing_mask"_a = py::none(), py::kw_only(), "missing"_a = py::none(),
      "Judge units: `values` is units × criteria (a row per unit; NaN is missing), `units` their integer\n"
      "ids (default: numbered on from the largest recorded), `missing_mask` an optional boolean mask of\n"
      "values' shape.\n"
      "Checks every input (finite values, ids unique and not recorded before) before changing the\n"
      "state. Returns self.");
  c.def_property_readonly(
      "k", [](const k_of_n& r) { return r.k(); }, "Criteria a unit must meet");
  c.def_property_readonly(
      "floor", [](const k_of_n& r) { return r.floor(); }, "Share of its threshold every unmet criterion must reach");
  c.def_property_readonly(
      "criteria",
      [](const k_of_n& r) {
        std::vector<py::tuple> out;
        for (const auto& cr : r.criteria())
          out.push_back(py::make_tuple(std::string(to_string(cr.comparator)), cr.threshold, cr.label));
        return out;
      },
      "(comparator, threshold, label) per criterion");
  c.def_property_readonly(
      "passed", [](const k_of_n& r) { return r.passed(); }, "Units passing");
  c.def_property_readonly(
      "units", [](const k_of_n& r) { return r.units(); }, "Units recorded");
  c.def_property_readonly(
      "results", [](const k_of_n& r) { return r.results(); }, "One UnitResult per unit, sorted by unit id");
}

void register_rule_classes(py::module_& m) {
  k_of_n_rule(m);
  sum_rule<rules::sum>(m, "Σx of the present values (DHIS2 SUM). Mergeable.");
  sum_rule<rules::count>(m, "Number of values aggregated (DHIS2 COUNT). Mergeable.");
  sum_rule<rules::mean>(m, "Arithmetic mean Σx / n (DHIS2 AVERAGE). Mergeable.");
  simple_rule<rules::min>(m, "Smallest value (DHIS2 MIN). Mergeable (exact).");
  simple_rule<rules::max>(m, "Largest value (DHIS2 MAX). Mergeable (exact).");
  dated_rule<rules::first>(m, "The value on the earliest date (ties: the smaller value). Mergeable (exact).");
  dated_rule<rules::last>(m, "The value on the latest date (ties: the larger value). Mergeable (exact).");

  {
    auto c = rule_class<rules::weighted_mean>(
        m, "Weighted mean Σwx / Σw; observe(values, weights) with weights >= 0. Mergeable.");
    c.def(py::init([](py::handle missing, py::handle policy) { return rules::weighted_mean(policy_arg(missing, policy, "WeightedMean")); }), py::kw_only(),
          "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly(
        "sum_of_weights", [](const rules::weighted_mean& r) { return r.sum_of_weights(); }, "Σw");
  }
  ratio_rule<rules::ratio_of_sums>(
      m, "factor × Σnumerator / Σdenominator (aggregate each side, then divide: the county figure);\n"
         "observe(numerators, denominators). Units (1/1, 1/9) give 0.2. Mergeable.");
  {
    auto c = py::reinterpret_borrow<py::class_<rules::ratio_of_sums>>(m.attr("RatioOfSums"));
    c.def_property_readonly(
        "numerator", [](const rules::ratio_of_sums& r) { return r.numerator(); }, "Σnumerator");
    c.def_property_readonly(
        "denominator", [](const rules::ratio_of_sums& r) { return r.denominator(); }, "Σdenominator");
  }
  ratio_rule<rules::mean_of_ratios>(
      m, "factor × the mean over units of numerator / denominator (every unit counts equally; units\n"
         "with denominator 0 are left out); observe(numerators, denominators). Units (1/1, 1/9) give\n"
         "0.5556. Mergeable.");
  {
    auto c = py::reinterpret_borrow<py::class_<rules::mean_of_ratios>>(m.attr("MeanOfRatios"));
    c.def_property_readonly(
        "units", [](const rules::mean_of_ratios& r) { return r.units(); }, "Units in the mean");
    c.def_property_readonly(
        "skipped_zero_denominator", [](const rules::mean_of_ratios& r) { return r.skipped_zero_denominator(); },
        "Units left out because their denominator was 0");
  }
  variance_rule<rules::variance>(
      m, "Variance M2 / (Σw − ddof): ddof=0 population (default), ddof=1 sample; optional frequency\n"
         "weights. Welford/West updates, Chan et al. merges. Mergeable.");
  variance_rule<rules::stddev>(m, "Standard deviation √variance: ddof=0 population (default), ddof=1 sample.\n"
                                  "Mergeable.");
  {
    auto c = rule_class<rules::cv>(
        m, "Coefficient of variation S / x̄ (差异系数). weighted=True (default): weighted by the weights\n"
           "given to observe (students), the official form; weighted=False: every unit counts once.\n"
           "Population variance unless ddof=1. Mergeable.");
    c.def(py::init([](bool weighted, int ddof, py::handle missing, py::handle policy) {
            return rules::cv(weighted ? rules::cv_weighting::weighted : rules::cv_weighting::unweighted,
                             parse_ddof(ddof, "CV"), policy_arg(missing, policy, "CV"));
          }),
          "weighted"_a = true, "ddof"_a = 0, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly(
        "weighted", [](const rules::cv& r) { return r.weighting() == rules::cv_weighting::weighted; },
        "True for the student-weighted form");
    c.def_property_readonly(
        "ddof", [](const rules::cv& r) { return static_cast<int>(r.correction()); }, "0 (population) or 1 (sample)");
    c.def_property_readonly(
        "mean", [](const rules::cv& r) { return r.mean(); }, "x̄, or None");
    c.def_property_readonly(
        "stddev", [](const rules::cv& r) { return r.stddev(); }, "S, or None");
  }
  meeting_rule<rules::share_meeting>(
      m, "Share (0..1) of the units whose value meets the standard `value comparator threshold`. Mergeable.");
  meeting_rule<rules::count_meeting>(
      m, "Number of units whose value meets the standard `value comparator threshold`. Mergeable.");
  {
    auto c = rule_class<rules::year_over_year>(
        m, "只增不减 (strict=False: every year at least the year before) or strictly increasing\n"
           "(strict=True); observe(years, values), values of one year are summed. value is 1.0 if the\n"
           "rule holds, 0.0 if not, None with fewer than two years. Mergeable.");
    c.def(py::init(
              [](bool strict, py::handle missing, py::handle policy) { return rules::year_over_year(strict, policy_arg(missing, policy, "YearOverYear")); }),
          "strict"_a = false, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly(
        "strict", [](const rules::year_over_year& r) { return r.strict(); }, "True: strictly increasing");
    c.def_property_readonly(
        "holds", [](const rules::year_over_year& r) { return r.holds(); }, "Whether the rule holds, or None");
    c.def_property_readonly(
        "breaks", [](const rules::year_over_year& r) { return r.breaks(); },
        "Years whose total is below (strict: not above) the previous observed year's");
    c.def_property_readonly(
        "gaps", [](const rules::year_over_year& r) { return r.gaps(); },
        "Years between the first and last observed year without an observation");
    c.def_property_readonly(
        "totals",
        [](const rules::year_over_year& r) {
          std::vector<std::pair<std::int32_t, double>> out;
          for (const auto& t : r.totals()) out.emplace_back(t.year, t.total);
          return out;
        },
        "(year, total) per observed year, sorted by year");
  }
  {
    auto c = rule_class<rules::structure_shares>(
        m, "Shares of categories (高级:中级:初级) against target shares within a tolerance in percentage\n"
           "points; observe(categories, amounts). value is the largest deviation in percentage points.\n"
           "StructureShares() with no target is the empty identity. Mergeable.");
    c.def(py::init([](const std::optional<std::vector<double>>& target, double tolerance, py::handle missing, py::handle policy) {
            const auto p = policy_arg(missing, policy, "StructureShares");
            if (!target || target->empty()) {
              if (tolerance != 0 || p != default_policy)
                throw error("StructureShares: give the target shares (e.g. [3, 4, 3])");
              return rules::structure_shares();
            }
            return rules::structure_shares(*target, tolerance, p);
          }),
          "target"_a = py::none(), "tolerance"_a = 0.0, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly(
        "target", [](const rules::structure_shares& r) { return r.target(); }, "Target shares in percent");
    c.def_property_readonly(
        "tolerance", [](const rules::structure_shares& r) { return r.tolerance(); }, "Percentage points");
    c.def_property_readonly(
        "sums", [](const rules::structure_shares& r) { return r.sums(); }, "Amount per category");
    c.def_property_readonly(
        "total", [](const rules::structure_shares& r) { return r.total(); }, "Σ amounts");
    c.def_property_readonly(
        "shares", [](const rules::structure_shares& r) { return r.shares(); }, "Shares in percent, or None");
    c.def_property_readonly(
        "holds", [](const rules::structure_shares& r) { return r.holds(); },
        "Every share within tolerance of its target, or None");
  }
  {
    auto c = rule_class<rules::median>(
        m, "The median (Hyndman–Fan type 7, numpy's default). Not mergeable: it keeps every value, and\n"
           "has no += or merge (mergeable is False).");
    c.def(py::init([](py::handle missing, py::handle policy) { return rules::median(policy_arg(missing, policy, "Median")); }), py::kw_only(),
          "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly("values", &values_array<rules::median>, "The stored values (a new array)");
  }
  {
    auto c = rule_class<rules::percentile>(
        m, "Quantile q in [0, 1] (Hyndman–Fan type 7 = numpy 'linear'; [1, 2, 3, 4] at q=0.25 is 1.75).\n"
           "Not mergeable: it keeps every value, and has no += or merge (mergeable is False).");
    c.def(py::init([](double q, py::handle missing, py::handle policy) { return rules::percentile(q, policy_arg(missing, policy, "Percentile")); }),
          "q"_a = 0.5, py::kw_only(), "missing"_a = py::none(), "policy"_a = py::none());
    c.def_property_readonly(
        "q", [](const rules::percentile& r) { return r.q(); }, "The quantile, in [0, 1]");
    c.def_property_readonly("values", &values_array<rules::percentile>, "The stored values (a new array)");
  }
}

// --- aggregate ---------------------------------------------------------------------------------

/// The loop of aggregate() for rule type R (a fresh state from the registry): compiled per type.
template <class R>
std::optional<double> run_rule(R r, std::string_view rule, py::handle values, py::handle weights,
                               py::handle missing_mask, const char* mask_name) {
  check_weights_argument<R>(weights, "aggregate: rule " + std::string(rule));
  const inputs in = convert(r, values, weights, missing_mask, mask_name);
  // Safe without the GIL: `in` holds copies of the inputs that this call owns, and `r` is local.
  const py::gil_scoped_release release;
  observe_all(r, in);
  return r.value();
}

std::optional<double> aggregate(const std::string& rule, py::handle values, py::handle weights, py::handle missing,
                                py::handle missing_mask, py::handle policy, int ddof_value,
                                std::optional<double> threshold, std::string_view comparator_name,
                                std::optional<double> q, double factor) {
  const std::string who = "aggregate";
  // the old spelling: a boolean mask as missing= (FutureWarning); a str is the policy
  py::handle policy_name = missing;
  py::object mask = py::reinterpret_borrow<py::object>(missing_mask);
  const char* mask_name = "missing_mask";
  if (!missing.is_none() && !py::isinstance<py::str>(missing)) {
    mask = mask_arg(missing_mask, missing, who);
    policy_name = py::none();
    mask_name = "missing";
  }
  rules::rule_params params;
  params.missing = policy_arg(policy_name, policy, who);
  const rules::rule_kind kind = rules::rule_kind_from(rule, who);
  const auto& info = rules::info(kind);
  const std::string name(info.name);
  const bool meeting = info.needs == "threshold";
  const bool spread = kind == rules::rule_kind::variance || kind == rules::rule_kind::stddev ||
                      kind == rules::rule_kind::cv || kind == rules::rule_kind::cv_unweighted;
  const bool ratio = info.input == shape::numerators_denominators;
  if (info.input != shape::values && info.input != shape::values_weights &&
      info.input != shape::values_weights_required && !ratio)
    throw error(who + ": rule \"" + name + "\" does not take an array of values (it observes " +
                (info.input == shape::dates_values  ? "values on dates"
                 : info.input == shape::years_values ? "values per year"
                 : info.input == shape::unit_rows    ? "criteria per unit"
                                                     : "amounts per category") +
                "); use its class in planeval.rules");
  if (threshold && !meeting) throw error(who + ": threshold= applies to share_meeting and count_meeting only");
  if (comparator_name != ">=" && !meeting)
    throw error(who + ": comparator= applies to share_meeting and count_meeting only");
  if (q && kind != rules::rule_kind::percentile) throw error(who + ": q= applies to percentile only");
  if (ddof_value != 0 && !spread) throw error(who + ": ddof= applies to variance, stddev and cv only");
  if (factor != 1 && !ratio) throw error(who + ": factor= applies to ratio_of_sums and mean_of_ratios only");
  params.ddof = parse_ddof(ddof_value, "aggregate");
  params.factor = factor;
  // cv is weighted by the weights when given, else every unit once
  params.weighting = weights.is_none() ? rules::cv_weighting::unweighted : rules::cv_weighting::weighted;
  if (meeting) {
    if (!threshold) throw error(who + ": " + name + " needs threshold=");
    params.threshold = *threshold;
    params.comparator = parse_comparator(comparator_name, "aggregate");
  }
  if (kind == rules::rule_kind::percentile) {
    if (!q) throw error(who + ": percentile needs q= (in [0, 1])");
    params.q = *q;
  }
  return rules::visit(kind, params, [&](auto r) -> std::optional<double> {
    using R = decltype(r);
    constexpr shape sh = traits<R>::in;
    if constexpr (sh == shape::values || sh == shape::values_weights || sh == shape::values_weights_required ||
                  sh == shape::numerators_denominators)
      return run_rule(std::move(r), name, values, weights, mask, mask_name);
    else
      throw error(who + ": rule \"" + name + "\" does not take an array of values"); // refused above
  });
}

/// The rule names of the registry (planeval.rule_names()).
std::vector<std::string> rule_names() {
  std::vector<std::string> out;
  for (const auto& r : rules::rule_table) out.emplace_back(r.name);
  return out;
}

/// The DHIS2 aggregation types with a planeval rule, as {DHIS2 name: planeval name}.
py::dict rule_aliases() {
  py::dict d;
  for (const auto& [alias, kind] : rules::rule_aliases) d[py::str(std::string(alias))] = std::string(to_string(kind));
  return d;
}

} // namespace

void register_rules(py::module_& m) {
  register_rule_classes(m);
  m.def("aggregate", &aggregate, "rule"_a, "values"_a, "weights"_a = py::none(), py::kw_only(),
        "missing"_a = py::none(), "missing_mask"_a = py::none(), "policy"_a = py::none(), "ddof"_a = 0,
        "threshold"_a = py::none(), "comparator"_a = ">=", "q"_a = py::none(), "factor"_a = 1.0,
        "Aggregate an array of values (or one number) by one rule; returns a float, or None when the rule\n"
        "has no value.\n\n"
        "rule: a name of planeval.rule_names() taking an array of values: 'sum', 'count', 'mean', 'min',\n"
        "  'max', 'weighted_mean' (weights required), 'ratio_of_sums' / 'mean_of_ratios' (values =\n"
        "  numerators, weights = denominators; factor scales), 'variance' / 'stddev' (ddof=0 population,\n"
        "  1 sample; weights are frequency weights), 'cv' (weighted by the weights when given, else\n"
        "  unweighted), 'cv_unweighted', 'share_meeting' / 'count_meeting' (units with value `comparator`\n"
        "  threshold), 'median', 'percentile' (q in [0, 1], type 7); or a DHIS2 aggregation type with a\n"
        "  planeval rule (SUM, AVERAGE, COUNT, STDDEV, VARIANCE, MIN, MAX...; planeval.rule_aliases()),\n"
        "  in any letter case.\n"
        "missing: the missing-value policy: 'skip_if_all_missing' (default), 'skip_if_any_missing' or\n"
        "  'never_skip' (count as 0), or DHIS2's SKIP_IF_ALL_VALUES_MISSING, SKIP_IF_ANY_VALUE_MISSING,\n"
        "  NEVER_SKIP, in any letter case (policy= is the old name, with a FutureWarning).\n"
        "missing_mask: an optional boolean mask of values not reported (their value is ignored). NaN or\n"
        "  None in values is missing too; ±inf raises DataError, text TypeError. (A mask given as\n"
        "  missing= still works, with a FutureWarning.) The loop runs without the GIL.");
  m.def("rule_names", &rule_names,
        "The names of planeval's aggregation rules, from the C++ registry (planeval/rules/kind.hpp)");
  m.def("rule_aliases", &rule_aliases,
        "DHIS2's aggregation types that have a planeval rule: {DHIS2 name: planeval rule name}; every\n"
        "function taking a rule name accepts them, in any letter case");
}

} // namespace planeval::python
