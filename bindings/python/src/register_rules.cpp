// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// Aggregation rules: the rule state classes of planeval.rules (Sum ... Percentile) and aggregate().
//
// Every rule state is a value type (__eq__, copy, pickle through to_bytes/from_bytes, whose header
// carries the archive format version). observe() takes numpy arrays and loops in C++; it holds the
// GIL, because the state belongs to a Python object another thread could use at the same time.
// aggregate() converts its inputs into vectors it owns, checks them, and runs the loop on a local
// state without the GIL. Inputs are checked before any state changes, so a bad value leaves the
// state as it was: NaN in values is refused (mark values not reported with missing=, a boolean
// mask; their value is then ignored), weights must be finite and >= 0, denominators finite.

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

/// What observe() takes.
enum class shape {
  x,            ///< values
  x_w,          ///< values, optional weights (frequency weights; students for cv)
  x_w_required, ///< values and weights
  num_den,      ///< numerators (values) and denominators (weights)
  year_x,       ///< years and values
  category_x,   ///< categories and amounts
  date_x,       ///< dates (datetime64 / datetime.date, or Julian day numbers) and values
  unit_rows     ///< one row of criterion values per unit (k_of_n), with unit ids
};

template <class R>
struct traits;
#define PLANEVAL_RULE_TRAITS(type, python_name, input)                                                                 \
  template <>                                                                                                          \
  struct traits<type> {                                                                                                \
    static constexpr const char* name = python_name;                                                                   \
    static constexpr shape in = input;                                                                                 \
  };
PLANEVAL_RULE_TRAITS(rules::sum, "Sum", shape::x)
PLANEVAL_RULE_TRAITS(rules::count, "Count", shape::x)
PLANEVAL_RULE_TRAITS(rules::mean, "Mean", shape::x)
PLANEVAL_RULE_TRAITS(rules::min, "Min", shape::x)
PLANEVAL_RULE_TRAITS(rules::max, "Max", shape::x)
PLANEVAL_RULE_TRAITS(rules::first, "First", shape::date_x)
PLANEVAL_RULE_TRAITS(rules::last, "Last", shape::date_x)
PLANEVAL_RULE_TRAITS(rules::weighted_mean, "WeightedMean", shape::x_w_required)
PLANEVAL_RULE_TRAITS(rules::ratio_of_sums, "RatioOfSums", shape::num_den)
PLANEVAL_RULE_TRAITS(rules::mean_of_ratios, "MeanOfRatios", shape::num_den)
PLANEVAL_RULE_TRAITS(rules::variance, "Variance", shape::x_w)
PLANEVAL_RULE_TRAITS(rules::stddev, "StdDev", shape::x_w)
PLANEVAL_RULE_TRAITS(rules::cv, "CV", shape::x_w)
PLANEVAL_RULE_TRAITS(rules::share_meeting, "ShareMeeting", shape::x)
PLANEVAL_RULE_TRAITS(rules::count_meeting, "CountMeeting", shape::x)
PLANEVAL_RULE_TRAITS(rules::year_over_year, "YearOverYear", shape::year_x)
PLANEVAL_RULE_TRAITS(rules::structure_shares, "StructureShares", shape::category_x)
PLANEVAL_RULE_TRAITS(rules::median, "Median", shape::x)
PLANEVAL_RULE_TRAITS(rules::percentile, "Percentile", shape::x)
PLANEVAL_RULE_TRAITS(rules::k_of_n, "KOfN", shape::unit_rows)
#undef PLANEVAL_RULE_TRAITS

constexpr rules::missing_policy default_policy = rules::missing_policy::skip_if_all_missing;

rules::missing_policy parse_policy(std::string_view s) {
  if (auto p = detail::parse_name(rules::missing_policy_names, s)) return *p;
  throw error("policy: expected one of " + detail::alternatives(rules::missing_policy_names) + ", got \"" +
              std::string(s) + "\"");
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

std::vector<double> doubles(py::handle obj, const std::string& name) {
  const column<double> c = number_column(obj, name);
  const auto s = c.span();
  return {s.begin(), s.end()};
}

std::string at(const char* name, std::size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

/// Converts and checks the arguments of rule R; DataError naming the argument and index otherwise.
template <class R>
inputs convert(const R& r, py::handle first, py::handle second, py::handle missing_mask) {
  constexpr shape sh = traits<R>::in;
  inputs in;
  const char* value_name = "values";
  const char* weight_name = sh == shape::num_den ? "weights (denominators)" : "weights";
  std::size_t n = 0;
  if constexpr (sh == shape::year_x || sh == shape::category_x || sh == shape::date_x) {
    const char* key_name = sh == shape::year_x ? "years" : sh == shape::date_x ? "dates" : "categories";
    value_name = sh == shape::category_x ? "amounts" : "values";
    py::array k = as_1d(first, key_name);
    if constexpr (sh == shape::date_x) {
      // dates (datetime64 or datetime.date objects) become Julian day numbers, the rules' day
      // numbering: days since 1970-01-01 plus 2440588 (the Julian day number of 1970-01-01)
      if (k.dtype().kind() == 'M' || k.dtype().kind() == 'O')
        k = py::array(k.attr("astype")("datetime64[D]").attr("astype")("int64").attr("__add__")(2440588));
    }
    if (k.shape(0) > 0 && k.dtype().kind() != 'i' && k.dtype().kind() != 'u')
      throw data_error(std::string(key_name) + ": expected integers, got dtype " + dtype_name(k));
    if constexpr (sh == shape::year_x) {
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
    in.miss = mask_values(missing_mask, "missing");
    require_rows(in.miss.size(), n, "missing", value_name);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const bool is_missing = !in.miss.empty() && in.miss[i];
    if (!is_missing && !std::isfinite(in.x[i])) {
      if (std::isnan(in.x[i]))
        throw data_error(at(value_name, i) +
                         " is nan; mark values that were not reported with missing= (a boolean mask) instead of NaN");
      throw data_error(at(value_name, i) + " is " + detail::format_number(in.x[i]) + "; values must be finite");
    }
    if (!in.w.empty()) {
      const double w = in.w[i];
      if (sh == shape::num_den && !std::isfinite(w))
        throw data_error(at("weights", i) + " (a denominator) is " + detail::format_number(w) +
                         "; denominators must be finite");
      if (sh != shape::num_den && !(std::isfinite(w) && w >= 0))
        throw data_error(at(weight_name, i) + " is " + detail::format_number(w) + "; weights must be finite and >= 0");
    }
    if constexpr (sh == shape::category_x) {
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
    if constexpr (sh == shape::x) {
      if (m)
        r.missing();
      else
        r(in.x[i]);
    } else if constexpr (sh == shape::x_w) {
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
    } else if constexpr (sh == shape::x_w_required || sh == shape::num_den) {
      if (m)
        r.missing(in.w[i]);
      else
        r(in.x[i], in.w[i]);
    } else if constexpr (sh == shape::year_x) {
      const auto year = static_cast<std::int32_t>(in.key[i]);
      if (m)
        r.missing(year);
      else
        r(year, in.x[i]);
    } else if constexpr (sh == shape::date_x) {
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
  if (sh == shape::x && !weights.is_none()) throw py::type_error(who + " takes no weights");
  if ((sh == shape::x_w_required || sh == shape::num_den) && weights.is_none())
    throw py::type_error(who + (sh == shape::num_den ? " needs weights= (the denominators)" : " needs weights="));
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
      "policy", [](const R& r) { return std::string(to_string(r.policy())); },
      "Missing-value policy: 'skip_if_all_missing', 'skip_if_any_missing' or 'never_skip'");

  if constexpr (sh == shape::unit_rows) {
    // KOfN defines its own observe (see k_of_n_rule)
  } else if constexpr (sh == shape::year_x || sh == shape::category_x || sh == shape::date_x) {
    const char* key = sh == shape::year_x ? "years" : sh == shape::date_x ? "dates" : "categories";
    const char* values = sh == shape::category_x ? "amounts" : "values";
    c.def(
        "observe",
        [](py::object self, py::handle keys, py::handle xs, py::handle missing_mask) {
          R& r = self.cast<R&>();
          const inputs in = convert(r, keys, xs, missing_mask);
          observe_all(r, in);
          return self;
        },
        py::arg(key), py::arg(values), "missing"_a = py::none(),
        sh == shape::date_x
            ? "Observe each value on its date (datetime64 or datetime.date, or Julian day numbers as ints).\n"
              "`missing`: an optional boolean mask of values not reported (0 on that date under never_skip).\n"
              "Checks every input before changing the state. Returns self."
        : sh == shape::year_x
            ? "Add each value to its year (arrays of equal length). `missing`: an optional boolean mask of\n"
              "values not reported (their value is ignored; under never_skip the year counts as observed).\n"
              "Checks every input before changing the state. Returns self."
            : "Add each amount (>= 0) to its category (0-based, one per target share). `missing`: an optional\n"
              "boolean mask of amounts not reported (their value is ignored). Checks every input before\n"
              "changing the state. Returns self.");
  } else {
    c.def(
        "observe",
        [name](py::object self, py::handle values, py::handle weights, py::handle missing_mask) {
          check_weights_argument<R>(weights, name + ".observe");
          R& r = self.cast<R&>();
          const inputs in = convert(r, values, weights, missing_mask);
          observe_all(r, in);
          return self;
        },
        "values"_a, "weights"_a = py::none(), "missing"_a = py::none(),
        "Observe arrays of values (and weights or denominators where the rule takes them). `missing`:\n"
        "an optional boolean mask of values not reported (their value is ignored, the policy decides;\n"
        "NaN in values is refused). Checks every input before changing the state. Returns self.");
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
  c.def(py::pickle([](const R& r) { return py::bytes(to_bytes(r)); },
                   [](const py::bytes& data) { return from_bytes<R>(std::string(data)); }));
  return c;
}

template <class R>
void simple_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](std::string_view policy) { return R(parse_policy(policy)); }), py::kw_only(),
        "policy"_a = "skip_if_all_missing");
}

template <class R>
void dated_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](std::string_view policy) { return R(parse_policy(policy)); }), py::kw_only(),
        "policy"_a = "skip_if_all_missing");
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
  c.def(py::init([](std::string_view policy) { return R(parse_policy(policy)); }), py::kw_only(),
        "policy"_a = "skip_if_all_missing");
  c.def_property_readonly(
      "sum", [](const R& r) { return r.sum(); }, "Σx over the aggregated values (0 for Count)");
}

template <class R>
void ratio_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](double factor, std::string_view policy) { return R(factor, parse_policy(policy)); }),
        "factor"_a = 1.0, py::kw_only(), "policy"_a = "skip_if_all_missing");
  c.def_property_readonly(
      "factor", [](const R& r) { return r.factor(); }, "Scale of the quotient (100 for a percentage)");
}

template <class R>
void variance_rule(py::module_& m, const char* doc) {
  auto c = rule_class<R>(m, doc);
  c.def(py::init([](int ddof, std::string_view policy) {
          return R(parse_ddof(ddof, traits<R>::name), parse_policy(policy));
        }),
        "ddof"_a = 0, py::kw_only(), "policy"_a = "skip_if_all_missing");
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
  c.def(py::init([](std::string_view comp, double threshold, std::string_view policy) {
          return R(parse_comparator(comp, traits<R>::name), threshold, parse_policy(policy));
        }),
        "comparator"_a = ">=", "threshold"_a = 0.0, py::kw_only(), "policy"_a = "skip_if_all_missing");
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
                    std::string_view policy) {
          const auto p = parse_policy(policy);
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
        "policy"_a = "skip_if_all_missing");
  c.def(
      "observe",
      [](py::object self, py::handle values, py::handle units, py::handle missing_mask) {
        k_of_n& r = self.cast<k_of_n&>();
        const std::size_t n = r.criteria().size();
        if (n == 0) throw error("KOfN.observe: the empty KOfN() has no criteria; construct it with criteria");
        const auto x = unit_matrix(values, n, "values");
        const auto rows = static_cast<std::size_t>(x.shape(0));
        std::vector<std::uint8_t> miss;
        if (!missing_mask.is_none()) {
          py::array mm = py::module_::import("numpy").attr("asarray")(missing_mask);
          if (mm.dtype().kind() != 'b')
            throw data_error("missing: expected a boolean mask, got dtype " + dtype_name(mm));
          if (mm.ndim() != 2 || static_cast<std::size_t>(mm.shape(0)) != rows ||
              static_cast<std::size_t>(mm.shape(1)) != n)
            throw data_error("missing: expected the shape of values (" + std::to_string(rows) + ", " +
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
        // check everything before changing the state
        const double* px = x.data();
        for (std::size_t i = 0; i < rows; ++i)
          for (std::size_t j = 0; j < n; ++j)
            if ((miss.empty() || !miss[i * n + j]) && !std::isfinite(px[i * n + j]))
              throw data_error("values[" + std::to_string(i) + ", " + std::to_string(j) + "] is " +
                               detail::format_number(px[i * n + j]) +
                               (std::isnan(px[i * n + j]) ? "; mark values that were not reported with missing= "
                                                            "(a boolean mask) instead of NaN"
                                                          : "; values must be finite"));
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
      "values"_a, "units"_a = py::none(), "missing"_a = py::none(),
      "Judge units: `values` is units × criteria (a row per unit), `units` their integer ids (default:\n"
      "numbered on from the largest recorded), `missing` an optional boolean mask of values shape.\n"
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
    c.def(py::init([](std::string_view policy) { return rules::weighted_mean(parse_policy(policy)); }), py::kw_only(),
          "policy"_a = "skip_if_all_missing");
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
    c.def(py::init([](bool weighted, int ddof, std::string_view policy) {
            return rules::cv(weighted ? rules::cv_weighting::weighted : rules::cv_weighting::unweighted,
                             parse_ddof(ddof, "CV"), parse_policy(policy));
          }),
          "weighted"_a = true, "ddof"_a = 0, py::kw_only(), "policy"_a = "skip_if_all_missing");
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
              [](bool strict, std::string_view policy) { return rules::year_over_year(strict, parse_policy(policy)); }),
          "strict"_a = false, py::kw_only(), "policy"_a = "skip_if_all_missing");
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
    c.def(py::init([](const std::optional<std::vector<double>>& target, double tolerance, std::string_view policy) {
            const auto p = parse_policy(policy);
            if (!target || target->empty()) {
              if (tolerance != 0 || p != default_policy)
                throw error("StructureShares: give the target shares (e.g. [3, 4, 3])");
              return rules::structure_shares();
            }
            return rules::structure_shares(*target, tolerance, p);
          }),
          "target"_a = py::none(), "tolerance"_a = 0.0, py::kw_only(), "policy"_a = "skip_if_all_missing");
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
    c.def(py::init([](std::string_view policy) { return rules::median(parse_policy(policy)); }), py::kw_only(),
          "policy"_a = "skip_if_all_missing");
    c.def_property_readonly("values", &values_array<rules::median>, "The stored values (a new array)");
  }
  {
    auto c = rule_class<rules::percentile>(
        m, "Quantile q in [0, 1] (Hyndman–Fan type 7 = numpy 'linear'; [1, 2, 3, 4] at q=0.25 is 1.75).\n"
           "Not mergeable: it keeps every value, and has no += or merge (mergeable is False).");
    c.def(py::init([](double q, std::string_view policy) { return rules::percentile(q, parse_policy(policy)); }),
          "q"_a = 0.5, py::kw_only(), "policy"_a = "skip_if_all_missing");
    c.def_property_readonly(
        "q", [](const rules::percentile& r) { return r.q(); }, "The quantile, in [0, 1]");
    c.def_property_readonly("values", &values_array<rules::percentile>, "The stored values (a new array)");
  }
}

// --- aggregate ---------------------------------------------------------------------------------

constexpr const char* aggregate_rules = "sum, count, mean, min, max, weighted_mean, ratio_of_sums, mean_of_ratios, "
                                        "variance, stddev, cv, share_meeting, count_meeting, median, percentile";

template <class R>
std::optional<double> run_rule(R r, const std::string& rule, py::handle values, py::handle weights,
                               py::handle missing_mask) {
  check_weights_argument<R>(weights, "aggregate: rule " + rule);
  const inputs in = convert(r, values, weights, missing_mask);
  // Safe without the GIL: `in` holds copies of the inputs that this call owns, and `r` is local.
  const py::gil_scoped_release release;
  observe_all(r, in);
  return r.value();
}

std::optional<double> aggregate(const std::string& rule, py::handle values, py::handle weights, py::handle missing_mask,
                                std::string_view policy_name, int ddof_value, std::optional<double> threshold,
                                std::string_view comparator_name, std::optional<double> q, double factor) {
  const auto policy = parse_policy(policy_name);
  const bool meeting = rule == "share_meeting" || rule == "count_meeting";
  const bool spread = rule == "variance" || rule == "stddev" || rule == "cv";
  const bool ratio = rule == "ratio_of_sums" || rule == "mean_of_ratios";
  const std::string who = "aggregate: ";
  if (threshold && !meeting) throw error(who + "threshold= applies to share_meeting and count_meeting only");
  if (comparator_name != ">=" && !meeting)
    throw error(who + "comparator= applies to share_meeting and count_meeting only");
  if (q && rule != "percentile") throw error(who + "q= applies to percentile only");
  if (ddof_value != 0 && !spread) throw error(who + "ddof= applies to variance, stddev and cv only");
  if (factor != 1 && !ratio) throw error(who + "factor= applies to ratio_of_sums and mean_of_ratios only");
  const auto ddof = parse_ddof(ddof_value, "aggregate");

  if (rule == "sum") return run_rule(rules::sum(policy), rule, values, weights, missing_mask);
  if (rule == "count") return run_rule(rules::count(policy), rule, values, weights, missing_mask);
  if (rule == "mean") return run_rule(rules::mean(policy), rule, values, weights, missing_mask);
  if (rule == "min") return run_rule(rules::min(policy), rule, values, weights, missing_mask);
  if (rule == "max") return run_rule(rules::max(policy), rule, values, weights, missing_mask);
  if (rule == "weighted_mean") return run_rule(rules::weighted_mean(policy), rule, values, weights, missing_mask);
  if (rule == "ratio_of_sums")
    return run_rule(rules::ratio_of_sums(factor, policy), rule, values, weights, missing_mask);
  if (rule == "mean_of_ratios")
    return run_rule(rules::mean_of_ratios(factor, policy), rule, values, weights, missing_mask);
  if (rule == "variance") return run_rule(rules::variance(ddof, policy), rule, values, weights, missing_mask);
  if (rule == "stddev") return run_rule(rules::stddev(ddof, policy), rule, values, weights, missing_mask);
  if (rule == "cv") {
    const auto weighting = weights.is_none() ? rules::cv_weighting::unweighted : rules::cv_weighting::weighted;
    return run_rule(rules::cv(weighting, ddof, policy), rule, values, weights, missing_mask);
  }
  if (meeting) {
    if (!threshold) throw error(who + rule + " needs threshold=");
    const auto c = parse_comparator(comparator_name, "aggregate");
    if (rule == "share_meeting")
      return run_rule(rules::share_meeting(c, *threshold, policy), rule, values, weights, missing_mask);
    return run_rule(rules::count_meeting(c, *threshold, policy), rule, values, weights, missing_mask);
  }
  if (rule == "median") return run_rule(rules::median(policy), rule, values, weights, missing_mask);
  if (rule == "percentile") {
    if (!q) throw error(who + "percentile needs q= (in [0, 1])");
    return run_rule(rules::percentile(*q, policy), rule, values, weights, missing_mask);
  }
  throw error(who + "unknown rule \"" + rule + "\"; expected one of " + aggregate_rules);
}

} // namespace

void register_rules(py::module_& m) {
  register_rule_classes(m);
  m.def("aggregate", &aggregate, "rule"_a, "values"_a, "weights"_a = py::none(), py::kw_only(),
        "missing"_a = py::none(), "policy"_a = "skip_if_all_missing", "ddof"_a = 0, "threshold"_a = py::none(),
        "comparator"_a = ">=", "q"_a = py::none(), "factor"_a = 1.0,
        "Aggregate an array of values by one rule; returns a float, or None when the rule has no value.\n\n"
        "rule: 'sum', 'count', 'mean', 'min', 'max', 'weighted_mean' (weights required),\n"
        "  'ratio_of_sums' / 'mean_of_ratios' (values = numerators, weights = denominators; factor scales),\n"
        "  'variance' / 'stddev' (ddof=0 population, 1 sample; weights are frequency weights),\n"
        "  'cv' (weighted by the weights when given, else unweighted), 'share_meeting' / 'count_meeting'\n"
        "  (units with value `comparator` threshold), 'median', 'percentile' (q in [0, 1], type 7).\n"
        "missing: an optional boolean mask of values not reported (their value is ignored); policy\n"
        "  decides: 'skip_if_all_missing' (default), 'skip_if_any_missing' or 'never_skip' (count as 0).\n"
        "NaN in values is refused (DataError): pass missing= instead. The loop runs without the GIL.");
}

} // namespace planeval::python
